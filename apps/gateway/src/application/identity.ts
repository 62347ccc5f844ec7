import type { Role } from '@storage/contracts';

/** Who is calling, as proven by a verified token: the subject is the customer (or staff) id. */
export interface Identity {
  readonly subject: string;
  /** Absent when the token carries no platform role: such a caller reaches public routes only. */
  readonly role?: Role;
}

/** What the edge knows about a request's credentials before any route decides on access. */
export type Authentication =
  | { readonly status: 'anonymous' }
  | { readonly status: 'authenticated'; readonly identity: Identity }
  | { readonly status: 'rejected'; readonly failure: AuthenticationFailure };

export interface AuthenticationFailure {
  /** 401 for a token the client must replace, 503 when the identity provider cannot be reached. */
  readonly status: 401 | 503;
  readonly error: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'IDENTITY_PROVIDER_UNAVAILABLE';
  readonly message: string;
}

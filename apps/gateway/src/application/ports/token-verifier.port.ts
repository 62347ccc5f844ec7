import type { AuthenticationFailure, Identity } from '../identity';

/**
 * Turns a bearer token into an identity or an authentication failure. The adapter decides which
 * keys, issuer and audience count; the application only needs the verdict.
 */
export abstract class TokenVerifier {
  abstract verify(token: string): Promise<Identity>;
}

/** Thrown by a TokenVerifier; carries the answer the client gets. */
export class TokenVerificationError extends Error {
  constructor(readonly failure: AuthenticationFailure) {
    super(failure.message);
    this.name = 'TokenVerificationError';
  }
}

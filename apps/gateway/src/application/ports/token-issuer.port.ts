import type { JSONWebKeySet } from 'jose';
import type { Role } from '@storage/contracts';

export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

/** Signs access tokens and publishes the key that checks them (development: the dev issuer). */
export abstract class TokenIssuer {
  abstract issue(subject: string, role: Role, ttlSeconds?: number): Promise<IssuedToken>;
  abstract jwks(): JSONWebKeySet;
}

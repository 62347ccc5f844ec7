import type { Authentication } from './identity';
import { TokenVerificationError, type TokenVerifier } from './ports/token-verifier.port';

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i;

/**
 * Reads the Authorization header. No header means anonymous (public routes still work); a header
 * that is present but not a valid bearer token is a rejection, never a silent downgrade to
 * anonymous, so a client with a broken token learns about it on every route.
 */
export async function authenticateRequest(
  authorization: string | string[] | undefined,
  verifier: TokenVerifier,
): Promise<Authentication> {
  if (authorization === undefined || authorization === '') {
    return { status: 'anonymous' };
  }
  const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
  if (!match) {
    return {
      status: 'rejected',
      failure: {
        status: 401,
        error: 'TOKEN_INVALID',
        message: 'Authorization must be "Bearer <token>"',
      },
    };
  }
  try {
    return { status: 'authenticated', identity: await verifier.verify(match[1]) };
  } catch (error) {
    if (error instanceof TokenVerificationError) {
      return { status: 'rejected', failure: error.failure };
    }
    throw error;
  }
}

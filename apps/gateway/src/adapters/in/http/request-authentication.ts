import type { FastifyRequest } from 'fastify';
import type { Authentication } from '../../../application/identity';

/**
 * The authentication outcome of each request, set once by the edge hook and read by the rate
 * limiter and the API routes. A WeakMap rather than a Fastify request decoration keeps the type
 * local to the gateway (a module augmentation would leak into every app of the monorepo) and
 * lets entries disappear with their request.
 */
const outcomes = new WeakMap<FastifyRequest, Authentication>();

export function rememberAuthentication(request: FastifyRequest, authentication: Authentication): void {
  outcomes.set(request, authentication);
}

export function authenticationOf(request: FastifyRequest): Authentication {
  return outcomes.get(request) ?? { status: 'anonymous' };
}

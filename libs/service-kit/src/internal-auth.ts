import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { IdentityHeaders } from './caller';

function equalSecrets(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Services trust the gateway's identity headers only from callers that know the shared internal
 * secret (INTERNAL_AUTH_SECRET: the gateway and the services themselves). Without a configured
 * secret (local development) every caller is trusted, which the README states plainly; in a
 * cluster the secret is set and a NetworkPolicy keeps outsiders away from the services as well.
 */
export function installInternalAuth(fastify: FastifyInstance, secret: string | undefined): void {
  if (!secret) {
    return;
  }
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/health') || request.url.startsWith('/docs')) {
      done();
      return;
    }
    const given = request.headers[IdentityHeaders.internalAuth];
    if (typeof given === 'string' && equalSecrets(given, secret)) {
      done();
      return;
    }
    void reply.status(401).send({
      statusCode: 401,
      error: 'INTERNAL_AUTH_REQUIRED',
      message: 'Call this service through the gateway',
    });
  });
}

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { IdentityHeaders, ROLES } from '@storage/contracts';

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
    // Probes, docs and Prometheus' scrape carry no secret (the cluster's NetworkPolicy guards them).
    if (request.url.startsWith('/health') || request.url.startsWith('/docs') || request.url === '/metrics') {
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

/**
 * Fail closed on a half identity: the gateway always sends a user id and a known role together.
 * A request with only one of them (a stripped header, a forged or mangled one) is refused instead
 * of being served as a trusted, unscoped caller. No identity at all stays a service-to-service or
 * local call.
 */
export function installIdentityCheck(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const userId = request.headers[IdentityHeaders.userId];
    const role = request.headers[IdentityHeaders.role];
    if (userId === undefined && role === undefined) {
      done();
      return;
    }
    const complete = typeof userId === 'string' && userId.length > 0 && ROLES.some((known) => known === role);
    if (complete) {
      done();
      return;
    }
    void reply.status(401).send({
      statusCode: 401,
      error: 'IDENTITY_INCOMPLETE',
      message: `${IdentityHeaders.userId} and a known ${IdentityHeaders.role} (${ROLES.join(', ')}) must come together`,
    });
  });
}

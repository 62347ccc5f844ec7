import Fastify, { type FastifyInstance } from 'fastify';
import { TokenVerifier } from '../../../application/ports/token-verifier.port';
import type { Identity } from '../../../application/identity';
import { installEdgeProtection } from './edge-protection';

class NoTokensAccepted extends TokenVerifier {
  verify(): Promise<Identity> {
    return Promise.reject(new Error('not used: the requests carry no token'));
  }
}

describe('installEdgeProtection: security headers', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    await installEdgeProtection(fastify, {
      verifier: new NoTokensAccepted(),
      corsOrigins: [],
      rateLimitMax: 1,
      rateLimitWindowMs: 60_000,
      trustedProxyHops: 0,
    });
    fastify.get('/api/things', () => ({ ok: true }));
    await fastify.ready();
  });

  afterAll(() => fastify.close());

  const securityHeaders = (headers: Record<string, unknown>) => ({
    csp: headers['content-security-policy'],
    nosniff: headers['x-content-type-options'],
    frames: headers['x-frame-options'],
    hsts: headers['strict-transport-security'],
  });

  it('are on every answer: a route, an unknown path, a refusal of the rate limit', async () => {
    const answers = [
      await fastify.inject({ method: 'GET', url: '/api/things' }),
      await fastify.inject({ method: 'GET', url: '/nowhere' }),
      await fastify.inject({ method: 'GET', url: '/api/things' }),
    ];
    expect(answers.map(({ statusCode }) => statusCode)).toEqual([200, 404, 429]);
    for (const answer of answers) {
      const headers = securityHeaders(answer.headers);
      expect(headers).toEqual({
        csp: expect.stringContaining("script-src 'self'") as unknown,
        nosniff: 'nosniff',
        frames: 'SAMEORIGIN',
        hsts: expect.stringContaining('max-age=') as unknown,
      });
      // Plain HTTP locally: asset requests are not upgraded to HTTPS.
      expect(headers.csp).not.toContain('upgrade-insecure-requests');
    }
  });
});

import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { authenticateRequest } from '../../../application/authenticate-request';
import type { TokenVerifier } from '../../../application/ports/token-verifier.port';
import { clientAddress } from './client-address';
import { rateLimitRefusals } from './edge.metrics';
import { authenticationOf, rememberAuthentication } from './request-authentication';

export interface EdgeProtectionOptions {
  readonly verifier: TokenVerifier;
  readonly corsOrigins: readonly string[];
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  readonly trustedProxyHops: number;
}

const logger = new Logger('EdgeProtection');

/** Raised by the rate limiter; both error handlers (Nest's and the API routes') turn it into a 429. */
export class RateLimitExceededError extends Error {
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';

  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitExceededError';
  }
}

/**
 * Per client: the token subject when a valid token came with the request (one customer behind a
 * shared NAT does not starve the others), the client address otherwise. Requests with a bad
 * token count against their address, so invalid tokens cannot be used to dodge the limit.
 */
export function rateLimitKey(request: FastifyRequest, trustedProxyHops: number): string {
  const authentication = authenticationOf(request);
  if (authentication.status === 'authenticated') {
    return `subject:${authentication.identity.subject}`;
  }
  const address = clientAddress(
    request.socket.remoteAddress,
    request.headers['x-forwarded-for'],
    trustedProxyHops,
  );
  return `address:${address}`;
}

/**
 * What guards every route of the gateway, in this order for each request:
 * 1. security headers (helmet) and CORS (preflights are answered here, before authentication);
 * 2. authentication: the bearer token, if any, is verified once and the verdict remembered;
 * 3. the rate limit, keyed by that verdict (route-level hooks run after the instance hooks above).
 * Authorization is per route and lives with the API routes.
 */
export async function installEdgeProtection(
  fastify: FastifyInstance,
  options: EdgeProtectionOptions,
): Promise<void> {
  // helmet itself, built once: @fastify/helmet builds a new one for every request (its policy
  // parsed again each time: 53 -> 35 us of CPU per request of a bare Fastify route).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        // The API doc is served over plain HTTP locally and in compose; upgrading its asset
        // requests to HTTPS would break it. Everything else of helmet's default policy stays
        // (scripts from self only; inline styles, which Swagger UI needs, are allowed by default).
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) =>
      done(error instanceof Error ? error : undefined),
    );
  });

  if (options.corsOrigins.length > 0) {
    await fastify.register(cors, {
      origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
      // Bearer tokens, not cookies: no credentials mode, which also makes "*" a safe choice.
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'x-request-id',
        'traceparent',
        'tracestate',
      ],
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      maxAge: 600,
    });
  }

  fastify.addHook('onRequest', async (request) => {
    const authentication = await authenticateRequest(request.headers.authorization, options.verifier);
    if (authentication.status === 'rejected' && authentication.failure.status === 503) {
      logger.warn({ msg: 'token could not be verified', reason: authentication.failure.message });
    }
    rememberAuthentication(request, authentication);
  });

  await fastify.register(rateLimit, {
    global: true,
    max: options.rateLimitMax,
    timeWindow: options.rateLimitWindowMs,
    hook: 'onRequest',
    // Probes must never be throttled, or a busy gateway would be restarted for being busy.
    allowList: (request) => request.url.startsWith('/health'),
    keyGenerator: (request) => rateLimitKey(request, options.trustedProxyHops),
    errorResponseBuilder: (_request, context) =>
      new RateLimitExceededError(Math.max(1, Math.ceil(context.ttl / 1000))),
    // Counted by route template only: the client key (an address or a user) is unbounded.
    onExceeded: (request) => rateLimitRefusals.inc({ route: request.routeOptions.url ?? 'unmatched' }),
  });
}

import 'reflect-metadata';
import { loadConfigOrExit, runService } from '@storage/service-kit';
import { installDocsPortal } from './adapters/in/http/docs-portal';
import { apiAllowedMethods, registerApiRoutes } from './adapters/in/http/api.http-routes';
import { installEdgeProtection } from './adapters/in/http/edge-protection';
import { DevTokenIssuer } from './adapters/out/auth/dev-token-issuer';
import { JwtVerifier } from './adapters/out/auth/jwt-verifier';
import { UpstreamOpenApiCatalog } from './adapters/out/docs/upstream-openapi.catalog';
import { keepHttpParserOnBaselineCompiler } from './adapters/out/proxy/http-parser-compilation';
import { UpstreamForwarder } from './adapters/out/proxy/upstream-forwarder';
import type { TokenVerifier } from './application/ports/token-verifier.port';
import { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';

/**
 * Tokens are checked against the identity provider's JWKS when JWKS_URL is set; otherwise (dev
 * issuer on, see the config's validation) against the dev issuer's own key, with its algorithm
 * accepted even if JWT_ALGORITHMS does not list it.
 */
function createTokenVerifier(config: GatewayConfig, devIssuer: DevTokenIssuer | undefined): TokenVerifier {
  const options = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms: config.JWT_ALGORITHMS,
    clockToleranceS: config.JWT_CLOCK_TOLERANCE_S,
    roleClaim: config.JWT_ROLE_CLAIM,
  };
  if (config.JWKS_URL) {
    return JwtVerifier.remote(config.JWKS_URL, options);
  }
  if (!devIssuer) {
    throw new Error('JWKS_URL is required when the dev issuer is disabled');
  }
  return JwtVerifier.local(devIssuer.jwks(), {
    ...options,
    algorithms: [...new Set([...options.algorithms, devIssuer.algorithm])],
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(GatewayConfig, 'gateway');
  keepHttpParserOnBaselineCompiler();
  const devIssuer = config.DEV_ISSUER_ENABLED
    ? await DevTokenIssuer.create({
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        defaultTtlS: config.DEV_TOKEN_TTL_S,
        roleClaim: config.JWT_ROLE_CLAIM,
        privateKeyPem: config.DEV_ISSUER_PRIVATE_KEY,
      })
    : undefined;
  const verifier = createTokenVerifier(config, devIssuer);
  const upstreams = config.upstreamUrls();
  const catalog = new UpstreamOpenApiCatalog({
    urls: upstreams,
    fetchTimeoutMs: config.DOCS_FETCH_TIMEOUT_MS,
    cacheTtlMs: config.DOCS_CACHE_TTL_MS,
  });
  const forwarder = new UpstreamForwarder({
    urls: upstreams,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    responseTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    connectionsPerUpstream: config.UPSTREAM_CONNECTIONS,
    internalAuthSecret: config.INTERNAL_AUTH_SECRET,
    maxEdgeHoldMs: config.EDGE_HOLD_MAX_MS,
  });

  await runService({
    name: 'gateway',
    title: 'Storage rental API gateway',
    description:
      'The one entry point: routes /api/* to the services with JWT authentication, roles, rate limits ' +
      'and request ids. Pick a service in the selector above; get a token first (POST /auth/token, dev only).',
    config,
    internalAuth: false,
    module: GatewayModule.register({ devIssuer, catalog }),
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    allowedMethods: apiAllowedMethods,
    configure: async (app, logger) => {
      const fastify = app.getHttpAdapter().getInstance();
      // Order matters: the edge hooks (headers, CORS, authentication, rate limit) must exist before
      // any route is added, because Fastify attaches route-level hooks when a route is declared.
      await installEdgeProtection(fastify, {
        verifier,
        corsOrigins: config.CORS_ORIGINS,
        rateLimitMax: config.RATE_LIMIT_MAX,
        rateLimitWindowMs: config.RATE_LIMIT_WINDOW_MS,
        trustedProxyHops: config.TRUSTED_PROXY_HOPS,
      });
      installDocsPortal(fastify, catalog);
      await registerApiRoutes(fastify, {
        forwarder,
        bodyLimitBytes: config.BODY_LIMIT_BYTES,
        trustedProxyHops: config.TRUSTED_PROXY_HOPS,
      });
      logger.info(
        {
          upstreams,
          tokenKeys: config.JWKS_URL ?? 'dev issuer (local key)',
          devIssuer: devIssuer !== undefined,
          internalAuth: config.INTERNAL_AUTH_SECRET !== undefined,
        },
        'edge configured',
      );
      if (devIssuer) {
        logger.warn(
          'DEV ISSUER ENABLED: anyone can mint tokens at POST /auth/token; never enable it where real users are',
        );
      }
      if (!config.INTERNAL_AUTH_SECRET) {
        logger.warn('INTERNAL_AUTH_SECRET unset: services will trust identity headers from any caller');
      }
    },
  });
}

main().catch((error: unknown) => {
  // A start-up failure after the config check (e.g. an unusable DEV_ISSUER_PRIVATE_KEY): one JSON
  // line naming it, like every other log line, instead of an unhandled rejection's stack dump.
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'gateway', msg: 'gateway failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});

import type { FastifyInstance } from 'fastify';
import type { ServiceDocs } from '../../../application/ports/service-docs.port';
import { apiDocLinks, type ApiDocLink } from './api-doc-links';

/** Where the service kit mounts Swagger UI's page and its init script (see SwaggerModule.setup). */
const PAGE_PATHS = new Set(['/docs', '/docs/', '/docs/index.html']);
const INIT_SCRIPT_PATHS = new Set(['/docs/swagger-ui-init.js', '/docs/docs/swagger-ui-init.js']);

/**
 * No inline script or style, so the page works under helmet's strict Content-Security-Policy
 * (scripts from self only). The Swagger UI assets are the ones the service kit already serves
 * under /docs.
 */
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Storage rental API (gateway)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;

/**
 * Swagger UI with a spec selector (the `urls` option of its standalone layout). The token entered
 * with "Authorize" is kept across specs (persistAuthorization) and sent to the gateway, because
 * every service spec names the gateway's /api as its server.
 */
export function swaggerUiSettings(links: readonly ApiDocLink[]): Record<string, unknown> {
  const primary = links.find((link) => link.name === 'booking') ?? links[0];
  return {
    urls: links,
    'urls.primaryName': primary.name,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    validatorUrl: null,
    layout: 'StandaloneLayout',
  };
}

/** The init script: plain settings as JSON, plus the two presets that only exist in the browser. */
export function initScript(links: readonly ApiDocLink[]): string {
  return `window.onload = function () {
  var settings = ${JSON.stringify(swaggerUiSettings(links))};
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
  settings.plugins = [SwaggerUIBundle.plugins.DownloadUrl];
  window.ui = SwaggerUIBundle(settings);
};
`;
}

/**
 * The one API doc at /docs: every service's OpenAPI behind a selector, with a working bearer-token
 * button. The service kit mounts Swagger UI at /docs for the gateway's own spec only and takes no
 * options; this hook answers the page and its init script before that route does, and leaves the
 * static assets and /docs-json to the kit. A service that is down drops out of the selector.
 */
export function installDocsPortal(fastify: FastifyInstance, catalog: ServiceDocs): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') {
      return;
    }
    const queryAt = request.url.indexOf('?');
    const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
    if (PAGE_PATHS.has(path)) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE);
    }
    if (INIT_SCRIPT_PATHS.has(path)) {
      const { available } = await catalog.available();
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(initScript(apiDocLinks(available)));
    }
  });
}

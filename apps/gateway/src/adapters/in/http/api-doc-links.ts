import type { UpstreamName } from '../../../application/upstream-routes';

export interface ApiDocLink {
  readonly name: string;
  readonly url: string;
}

/** The gateway's own spec (token endpoint, JWKS, health), served by the service kit. */
export const GATEWAY_DOC: ApiDocLink = { name: 'gateway', url: '/docs-json' };

export function serviceDocUrl(name: UpstreamName): string {
  return `/docs/services/${name}/openapi.json`;
}

/** What the doc page's selector offers: the gateway first, then each service that answers now. */
export function apiDocLinks(available: readonly UpstreamName[]): ApiDocLink[] {
  return [GATEWAY_DOC, ...available.map((name) => ({ name, url: serviceDocUrl(name) }))];
}

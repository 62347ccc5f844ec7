import { addStandardResponses, OPENAPI_OPERATION_METHODS, type StandardResponse } from '@storage/service-kit';
import { ACCESS_RULES, audienceOf, type Audience } from './route-access.policy';
import { API_PREFIX, routeForServicePath, type UpstreamName, type UpstreamRoute } from './upstream-routes';

/** The parts of an OpenAPI 3 document the gateway reads or rewrites; everything else is kept as is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string; [key: string]: unknown };
  paths: Record<string, Record<string, unknown>>;
  servers?: { url: string; description?: string }[];
  components?: { securitySchemes?: Record<string, unknown>; [key: string]: unknown };
  security?: Record<string, string[]>[];
  [key: string]: unknown;
}

const OPERATION_METHODS = new Set<string>(OPENAPI_OPERATION_METHODS);

/** Name of the security scheme behind the doc's "Authorize" button (the one Nest's addBearerAuth uses). */
export const BEARER_SCHEME = 'bearer';

export function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<OpenApiDocument>;
  return (
    typeof candidate.openapi === 'string' &&
    candidate.openapi.startsWith('3.') &&
    typeof candidate.info === 'object' &&
    candidate.info !== null &&
    typeof candidate.paths === 'object' &&
    candidate.paths !== null
  );
}

function accessNote(route: UpstreamRoute, audience: Audience): string {
  if (audience === 'public') {
    return 'Gateway access: public, no token needed.';
  }
  const scoped =
    ACCESS_RULES[route.resource].ownedByCustomer && audience.includes('customer')
      ? ' A customer only ever sees their own records: the gateway pins the customer id to the token subject.'
      : '';
  return `Gateway access: ${audience.join(', ')}.${scoped}`;
}

/** What the gateway itself may answer on any API route, before or instead of the service. */
const GATEWAY_RESPONSES: readonly StandardResponse[] = [
  { status: 400, description: 'A path the gateway will not route (INVALID_PATH), or invalid input' },
  { status: 401, description: 'A token is missing (protected routes), invalid or expired' },
  { status: 413, description: 'The body is larger than the gateway accepts', applies: 'with-body' },
  { status: 429, description: 'Too many requests from this client; Retry-After says when to retry' },
  { status: 502, description: 'The service answered in a way the gateway could not forward' },
  {
    status: 503,
    description: 'The service is down or not accepting connections; Retry-After says when to retry',
  },
  { status: 504, description: 'The service did not answer in time' },
];

function rewriteOperation(operation: unknown, route: UpstreamRoute, audience: Audience): unknown {
  if (typeof operation !== 'object' || operation === null) {
    return operation;
  }
  const original = operation as { description?: unknown; responses?: Record<string, unknown> };
  const description = typeof original.description === 'string' ? `${original.description}\n\n` : '';
  return {
    ...original,
    description: `${description}${accessNote(route, audience)}`,
    security: audience === 'public' ? [] : [{ [BEARER_SCHEME]: [] }],
    responses:
      audience === 'public'
        ? original.responses
        : { ...original.responses, 403: { description: "The token's role may not use this route" } },
  };
}

/**
 * A service's OpenAPI as seen through the gateway: served under /api, only the operations the
 * gateway actually routes and lets someone use (no health probes, no service-to-service calls),
 * each one saying who may call it, and one bearer scheme so the doc's "Authorize" button sends
 * the token to the gateway.
 */
export function rewriteForGateway(spec: OpenApiDocument, upstream: UpstreamName): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    const route = routeForServicePath(upstream, path);
    if (!route || typeof item !== 'object' || item === null) {
      continue;
    }
    const rewritten: Record<string, unknown> = {};
    let operations = 0;
    for (const [key, value] of Object.entries(item)) {
      if (!OPERATION_METHODS.has(key)) {
        if (key !== 'servers') rewritten[key] = value;
        continue;
      }
      const audience = audienceOf(route.resource, key);
      if (audience !== undefined) {
        rewritten[key] = rewriteOperation(value, route, audience);
        operations += 1;
      }
    }
    if (operations > 0) {
      paths[path] = rewritten;
    }
  }
  const rewritten: OpenApiDocument = {
    ...structuredClone(spec),
    info: { ...spec.info, title: `${spec.info.title} (through the gateway)` },
    servers: [
      { url: API_PREFIX, description: 'The gateway; every call needs a bearer token unless marked public' },
    ],
    paths: structuredClone(paths),
    components: {
      ...structuredClone(spec.components ?? {}),
      securitySchemes: {
        ...structuredClone(spec.components?.securitySchemes ?? {}),
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Access token from the identity provider (locally: POST /auth/token on the gateway)',
        },
      },
    },
    security: [{ [BEARER_SCHEME]: [] }],
  };
  return addStandardResponses(rewritten, GATEWAY_RESPONSES);
}

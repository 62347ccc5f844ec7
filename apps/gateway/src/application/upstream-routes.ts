/** The services behind the gateway. */
export const UPSTREAMS = ['booking', 'payment', 'storage-assign', 'mypage'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

export function isUpstreamName(name: string): name is UpstreamName {
  return (UPSTREAMS as readonly string[]).includes(name);
}

/** What a route is about; access rules are written per resource (see route-access.policy.ts). */
export type Resource = 'bookings' | 'quotes' | 'payments' | 'storage-units' | 'availability' | 'mypage';

export interface UpstreamRoute {
  readonly resource: Resource;
  readonly upstream: UpstreamName;
  /** Path prefix at the service; the gateway serves the same path under API_PREFIX. */
  readonly prefix: string;
  /**
   * Collection reads that list a customer's own records and take a `customerId` filter. For a
   * customer the gateway overwrites that filter with the token subject.
   */
  readonly customerLists: readonly string[];
  /**
   * Paths whose POST the service performs once per Idempotency-Key: a repeat under the same key is
   * answered from its records (the first outcome), never acted on twice.
   */
  readonly keyedWrites: readonly string[];
}

/** Every API route at the gateway is `/api` + the service's own path. */
export const API_PREFIX = '/api';

export const UPSTREAM_ROUTES: readonly UpstreamRoute[] = [
  {
    resource: 'bookings',
    upstream: 'booking',
    prefix: '/bookings',
    customerLists: ['/bookings'],
    keyedWrites: ['/bookings'],
  },
  { resource: 'quotes', upstream: 'booking', prefix: '/quotes', customerLists: [], keyedWrites: [] },
  {
    resource: 'payments',
    upstream: 'payment',
    prefix: '/payments',
    customerLists: ['/payments'],
    keyedWrites: [],
  },
  {
    resource: 'storage-units',
    upstream: 'storage-assign',
    prefix: '/storage-units',
    customerLists: [],
    keyedWrites: [],
  },
  {
    resource: 'availability',
    upstream: 'storage-assign',
    prefix: '/availability',
    customerLists: [],
    keyedWrites: [],
  },
  {
    resource: 'mypage',
    upstream: 'mypage',
    prefix: '/mypage',
    customerLists: ['/mypage/bookings', '/mypage/notices'],
    keyedWrites: [],
  },
];

export type PathResolution =
  | { readonly kind: 'routed'; readonly route: UpstreamRoute; readonly servicePath: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'unrouted' };

function belongsTo(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Whether a path is under the public API (`/api` itself or below it), routed or not. */
export function isApiPath(path: string): boolean {
  return belongsTo(path, API_PREFIX);
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Why paths are checked before routing: access is decided on the gateway's reading of the path. If
 * a service read it differently (dot segments, an encoded slash, a backslash), a customer could be
 * allowed on `/api/availability/..%2Fstorage-units` and land on a staff route. Such paths are
 * refused rather than normalised, since no legitimate client sends them.
 */
function ambiguity(rawPath: string): string | undefined {
  if (/%(2f|5c|00)/i.test(rawPath)) {
    return 'encoded "/", "\\" or NUL in the path';
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'malformed percent-encoding in the path';
  }
  if (decoded.includes('\\') || hasControlCharacter(decoded)) {
    return 'backslash or control character in the path';
  }
  const segments = decoded.split('/').slice(1);
  if (
    segments.some(
      (segment, index) =>
        segment === '.' || segment === '..' || (segment === '' && index < segments.length - 1),
    )
  ) {
    return 'dot or empty segment in the path';
  }
  return undefined;
}

/**
 * Maps a gateway path (the raw, still percent-encoded path of the request, without the query) to
 * the service and the path the service sees.
 */
export function resolveGatewayPath(rawPath: string): PathResolution {
  if (!isApiPath(rawPath)) {
    return { kind: 'unrouted' };
  }
  const problem = ambiguity(rawPath);
  if (problem) {
    return { kind: 'rejected', reason: problem };
  }
  const servicePath = rawPath.slice(API_PREFIX.length);
  const route = UPSTREAM_ROUTES.find((candidate) => belongsTo(servicePath, candidate.prefix));
  return route ? { kind: 'routed', route, servicePath } : { kind: 'unrouted' };
}

/** The route a service's own path is published under (used to rewrite the services' OpenAPI). */
export function routeForServicePath(upstream: UpstreamName, servicePath: string): UpstreamRoute | undefined {
  return UPSTREAM_ROUTES.find((route) => route.upstream === upstream && belongsTo(servicePath, route.prefix));
}

/**
 * A service path as the service will read it: decoded, without a trailing slash. Paths reaching
 * here passed `resolveGatewayPath`, so they decode cleanly and hold no encoded separators.
 */
function asServiceReadsIt(servicePath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(servicePath);
  } catch {
    return undefined;
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded;
}

/** Compared as the service reads it: `/mypage/%62ookings` is `/mypage/bookings`, and a customer must be pinned there too. */
export function isCustomerList(route: UpstreamRoute, servicePath: string): boolean {
  const path = asServiceReadsIt(servicePath);
  return path !== undefined && route.customerLists.includes(path);
}

/**
 * Whether the gateway may send a request to its service a second time when the first try met a
 * connection the service had just closed (a keep-alive race: the service stopping, restarting or
 * timing the idle connection out as the request went out on it). Then nothing tells the gateway
 * whether the service read the request, so only requests whose repeat cannot act twice qualify: a
 * read, or a write the service performs once per Idempotency-Key (RFC 9110 section 9.2.2).
 */
export function isRepeatable(
  route: UpstreamRoute,
  method: string,
  servicePath: string,
  hasIdempotencyKey: boolean,
): boolean {
  if (method === 'GET' || method === 'HEAD') {
    return true;
  }
  const path = asServiceReadsIt(servicePath);
  return method === 'POST' && hasIdempotencyKey && path !== undefined && route.keyedWrites.includes(path);
}

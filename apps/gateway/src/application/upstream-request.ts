import { EDGE_HOLD_HEADER, IdentityHeaders } from '@storage/contracts';
import type { Identity } from './identity';

export type HeaderMap = Record<string, string | string[] | undefined>;

export interface ForwardingContext {
  /** The verified caller; absent on public routes called without a token. */
  readonly identity?: Identity;
  /** Proves to the services that the identity headers come from the gateway. */
  readonly internalAuthSecret?: string;
  readonly requestId: string;
  /** The addresses the gateway vouches for, client first: the X-Forwarded-For the service gets. */
  readonly forwardedFor: readonly string[];
  readonly protocol: string;
  readonly host?: string;
}

/**
 * Headers that carry identity or trust between the gateway and the services. Whatever a client
 * sends under these names is dropped: only the gateway may set them. Prefixes rather than exact
 * names, so an identity header added to the contract later is covered without touching this list.
 */
const RESERVED_PREFIXES = ['x-user-', 'x-internal-'];

/**
 * Credentials stay at the edge (services trust the identity headers, they never see the token);
 * the forwarding headers are rebuilt below from what the gateway can vouch for.
 */
const DROPPED = new Set([
  'authorization',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

/**
 * The client's hop-by-hop headers describe its connection to the gateway, not the gateway's to
 * the service (RFC 9110 section 7.6.1); undici refuses several of them outright (`expect`,
 * `keep-alive`, `upgrade`), which made a plain `Expect: 100-continue` a 502. Names the client
 * lists in `Connection` are hop-by-hop too: they could otherwise strip the gateway's own headers.
 */
const REQUEST_HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
]);

function isReserved(name: string): boolean {
  return (
    DROPPED.has(name) ||
    REQUEST_HOP_BY_HOP.has(name) ||
    RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}

function connectionListed(incoming: HeaderMap): Set<string> {
  const value = Object.entries(incoming).find(([name]) => name.toLowerCase() === 'connection')?.[1];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * The headers a service receives: the client's own headers (content type, Idempotency-Key,
 * traceparent/tracestate, ...) minus anything identity-related, plus the identity proven by the
 * token, the internal secret and the request id shared by every log line of this request.
 */
export function upstreamHeaders(incoming: HeaderMap, context: ForwardingContext): HeaderMap {
  const headers: HeaderMap = {};
  const listed = connectionListed(incoming);
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (value !== undefined && !isReserved(lower) && !listed.has(lower)) {
      headers[lower] = value;
    }
  }
  headers['x-request-id'] = context.requestId;
  // Both or neither: services refuse a half identity (a token without a known role is forwarded
  // as anonymous, which is all such a caller may be on the routes it reaches).
  if (context.identity?.role) {
    headers[IdentityHeaders.userId] = context.identity.subject;
    headers[IdentityHeaders.role] = context.identity.role;
  }
  if (context.internalAuthSecret) {
    headers[IdentityHeaders.internalAuth] = context.internalAuthSecret;
  }
  headers['x-forwarded-for'] = context.forwardedFor.join(', ');
  headers['x-forwarded-proto'] = context.protocol;
  if (context.host) {
    headers['x-forwarded-host'] = context.host;
  }
  return headers;
}

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, the service's to the
 * gateway; passed on, a service's `keep-alive: timeout=5` would tell the client about a connection
 * it does not have.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Said by a service to the gateway alone (see EDGE_HOLD_HEADER). */
const FOR_THE_EDGE = new Set([EDGE_HOLD_HEADER]);

/** The service's response headers as the client receives them. */
export function downstreamHeaders<H extends HeaderMap>(headers: H): H {
  const kept: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowerCase = name.toLowerCase();
    if (!HOP_BY_HOP.has(lowerCase) && !FOR_THE_EDGE.has(lowerCase)) {
      kept[name] = value;
    }
  }
  return kept as H;
}

/**
 * The query string a service receives (without the leading "?"). For a customer, any client
 * supplied `customerId` is removed, and on the customer's own lists it is set to the token
 * subject, so `GET /api/bookings?customerId=someone-else` lists the caller's bookings. Other
 * queries pass through byte for byte.
 */
export function upstreamQuery(
  rawQuery: string,
  customerScope: string | undefined,
  customerList: boolean,
): string {
  if (customerScope === undefined) {
    return rawQuery;
  }
  const params = new URLSearchParams(rawQuery);
  params.delete('customerId');
  if (customerList) {
    params.set('customerId', customerScope);
  }
  return params.toString();
}

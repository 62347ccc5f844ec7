import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** One request as the upstream received it. */
export interface EchoedRequest {
  service: string;
  method: string;
  /** Path and query exactly as sent on the wire. */
  url: string;
  path: string;
  query: Record<string, string[]>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface EchoUpstreamOptions {
  /** Service name, reported in every echo and in the spec title. */
  name: string;
  /** Paths published in /docs-json, as the service would (its own paths, no /api prefix). */
  specPaths: Record<string, Record<string, unknown>>;
  /** Requests whose path contains "/slow" are answered after this delay (to provoke timeouts). */
  slowDelayMs?: number;
}

export interface EchoUpstream {
  readonly name: string;
  readonly url: string;
  /** Everything received so far, oldest first (spec fetches included). */
  readonly requests: EchoedRequest[];
  /** TCP connections accepted so far: stays flat while a client reuses keep-alive connections. */
  connectionCount(): number;
  /** X-Request-Id of each request answered with a reset (see `stale-connection` below). */
  readonly resets: string[];
  /** The last request whose path starts with the given prefix. */
  lastRequestTo(pathPrefix: string): EchoedRequest | undefined;
  close(): Promise<void>;
}

function queryOf(url: URL): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    (query[key] ??= []).push(value);
  }
  return query;
}

/**
 * A real HTTP server standing in for a service behind the gateway: it answers every request with
 * a JSON echo of what it received (method, path, query, headers, body), so a test can see exactly
 * what the gateway forwarded. It also serves a minimal OpenAPI document at /docs-json, like the
 * services' Swagger setup does.
 */
export async function startEchoUpstream(options: EchoUpstreamOptions): Promise<EchoUpstream> {
  const requests: EchoedRequest[] = [];
  const resets: string[] = [];
  const requestsOn = new WeakMap<Socket, number>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    const servedBefore = requestsOn.get(request.socket) ?? 0;
    requestsOn.set(request.socket, servedBefore + 1);
    const requestId = String(request.headers['x-request-id']);
    if (
      new URL(request.url ?? '/', 'http://upstream').searchParams.has('stale-connection') &&
      servedBefore > 0 &&
      !resets.includes(requestId)
    ) {
      // A service closing its idle keep-alive connections (stopping, restarting) just as this
      // request went out on one: reset, nothing read, nothing answered. Once per request id, so
      // the request sent again on another connection is answered.
      resets.push(requestId);
      request.socket.resetAndDestroy();
      return;
    }
    if (request.url?.includes('/refuse-early')) {
      // A service refusing a request from its headers alone (as Fastify does a 415), before the
      // body has arrived; the body is drained afterwards, as Node's server does.
      response.writeHead(415, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message: 'refused early' }),
      );
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://upstream');
      const echoed: EchoedRequest = {
        service: options.name,
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        path: url.pathname,
        query: queryOf(url),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(echoed);
      if (url.pathname === '/docs-json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            openapi: '3.0.0',
            info: { title: `${options.name} service`, version: '1.0' },
            paths: {
              ...options.specPaths,
              '/health/live': { get: { summary: 'Liveness', responses: { 200: { description: 'up' } } } },
            },
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
          }),
        );
        return;
      }
      if (url.pathname.includes('/held-refusal')) {
        // A refusal that holds for everyone, as booking's at the payment door (EDGE_HOLD_HEADER).
        response.writeHead(503, {
          'content-type': 'application/json',
          'retry-after': '2',
          'x-edge-hold-ms': url.searchParams.get('hold') ?? '1000',
        });
        response.end(
          JSON.stringify({
            statusCode: 503,
            error: 'PAYMENT_UNAVAILABLE',
            message: 'Payment is busy right now',
            details: { cause: 'overloaded' },
            requestId: request.headers['x-request-id'],
          }),
        );
        return;
      }
      const answer = () => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-echo-service': options.name });
        response.end(JSON.stringify(echoed));
      };
      if (url.pathname.includes('/slow')) {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          answer();
        }, options.slowDelayMs ?? 5000);
        pendingTimers.add(timer);
        return;
      }
      answer();
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) {
    throw new Error('echo upstream did not bind');
  }
  return {
    name: options.name,
    url: `http://127.0.0.1:${address.port}`,
    requests,
    resets,
    connectionCount: () => connections,
    lastRequestTo: (pathPrefix) => requests.filter((request) => request.path.startsWith(pathPrefix)).at(-1),
    close: () =>
      new Promise<void>((resolve, reject) => {
        pendingTimers.forEach((timer) => clearTimeout(timer));
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

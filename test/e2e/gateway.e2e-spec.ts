/**
 * The built gateway as a real process, in front of real HTTP upstreams that echo what they
 * receive. Proves the edge contract from the outside: authentication, roles, identity headers,
 * customer scoping, rate limits, body limits, timeouts, request ids and the API doc.
 *
 * Run: npm run build && npx jest test/e2e/gateway.e2e-spec.ts --selectProjects e2e
 * (the path goes first: after --selectProjects it would be read as a second project name)
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import {
  createLocalJWKSet,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { startBuiltService, type BuiltService } from '../support/built-service';
import { scrape, total } from '../support/metrics';
import { startEchoUpstream, type EchoedRequest, type EchoUpstream } from '../support/echo-upstream';
import { waitFor } from '../support/wait-for';
import { freePort } from '../../tools/stack/ports';

// jose is ESM-only and Jest's CommonJS runtime cannot load it; Node's own require can (require(esm)).
jest.mock('jose', () => process.getBuiltinModule('node:module').createRequire(__filename)('jose') as unknown);

const ISSUER = 'https://idp.e2e.test/realms/storage';
const AUDIENCE = 'storage-rental-api';
const INTERNAL_SECRET = 'e2e-internal-secret-0123456789';
const RATE_LIMIT_MAX = 40;
const UPSTREAM_TIMEOUT_MS = 1000;
const BODY_LIMIT_BYTES = 4096;
const REQUEST_TIMEOUT_MS = 2000;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
  elapsedMs: number;
}

interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string | Blob | ReadableStream<Uint8Array>;
}

let gateway: BuiltService;
let booking: EchoUpstream;
let payment: EchoUpstream;
let storage: EchoUpstream;
let trustedKey: CryptoKey;
let trustedKid: string;
let forgerKey: CryptoKey;

async function call(path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const started = performance.now();
  const response = await fetch(`${gateway.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
    // Needed by fetch to send a stream body (chunked, no Content-Length).
    ...(options.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (HTML, JavaScript): the test looks at `text`.
  }
  return { status: response.status, headers: response.headers, body, text, elapsedMs };
}

/** One request through Node's own client, for what fetch will not send (TRACE, odd `Expect`s). */
function plainCall(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  base = gateway.url,
): Promise<{ status?: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * A gateway of a test's own, in front of the same upstreams (my page's stands in for the one that
 * is down) and trusting the same tokens, with the settings the test is about.
 */
async function startOwnGateway(settings: Record<string, string>): Promise<BuiltService> {
  return startBuiltService('gateway', {
    BOOKING_URL: booking.url,
    PAYMENT_URL: payment.url,
    STORAGE_ASSIGN_URL: storage.url,
    MYPAGE_URL: storage.url,
    DEV_ISSUER_ENABLED: 'true',
    DEV_ISSUER_PRIVATE_KEY: await exportPKCS8(trustedKey),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    INTERNAL_AUTH_SECRET: INTERNAL_SECRET,
    ...settings,
  });
}

/** What the upstream saw, from the echo body the gateway streamed back. */
function echoed(answer: Answer): EchoedRequest {
  expect(answer.status).toBe(200);
  return answer.body as unknown as EchoedRequest;
}

interface TokenClaims {
  subject: string;
  role?: string;
  key?: CryptoKey;
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number;
}

/** A raw connection, for what fetch cannot send: trickled, cut or malformed requests. */
interface RawConnection {
  socket: Socket;
  host: string;
  /** Everything the server sent so far. */
  received(): string;
  /** 'closed' once the server closed the connection, 'still open' after `ms`. */
  closedWithin(ms: number): Promise<'closed' | 'still open'>;
}

async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
  await once(socket, 'connect');
  return {
    socket,
    host: hostname,
    received: () => received,
    closedWithin: (ms) =>
      Promise.race([
        closed,
        new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms)),
      ]),
  };
}

/** Signs a token the way the identity provider would (or a forger, with another key). */
function token(claims: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims.role ? { role: claims.role } : {})
    .setProtectedHeader({ alg: 'ES256', kid: trustedKid, typ: 'JWT' })
    .setIssuer(claims.issuer ?? ISSUER)
    .setAudience(claims.audience ?? AUDIENCE)
    .setSubject(claims.subject)
    .setIssuedAt(claims.issuedAt ?? now)
    .setExpirationTime(claims.expiresAt ?? now + 600)
    .sign(claims.key ?? trustedKey);
}

const customer = () => token({ subject: 'customer-alice', role: 'customer' });
const staff = () => token({ subject: 'staff-sam', role: 'staff' });

beforeAll(async () => {
  const trusted = await generateKeyPair('ES256', { extractable: true });
  trustedKey = trusted.privateKey;
  forgerKey = (await generateKeyPair('ES256', { extractable: true })).privateKey;

  [booking, payment, storage] = await Promise.all([
    startEchoUpstream({
      name: 'booking',
      slowDelayMs: 5000,
      specPaths: {
        '/bookings': { get: { summary: 'List' }, post: { summary: 'Book' } },
        '/bookings/{id}/cancel': { post: { summary: 'Cancel' } },
        '/quotes': { get: { summary: 'Price of a booking' } },
      },
    }),
    startEchoUpstream({
      name: 'payment',
      specPaths: { '/payments': { get: { summary: 'List' }, post: { summary: 'Charge (internal)' } } },
    }),
    startEchoUpstream({
      name: 'storage-assign',
      specPaths: {
        '/availability': { get: { summary: 'Free sizes' } },
        '/storage-units': { get: { summary: 'Units' }, post: { summary: 'Register' } },
      },
    }),
  ]);
  // Nothing listens here: the "service down" case.
  const mypageDownPort = await freePort();

  gateway = await startBuiltService('gateway', {
    LOG_LEVEL: 'info',
    BOOKING_URL: booking.url,
    PAYMENT_URL: payment.url,
    STORAGE_ASSIGN_URL: storage.url,
    MYPAGE_URL: `http://127.0.0.1:${mypageDownPort}`,
    DEV_ISSUER_ENABLED: 'true',
    DEV_ISSUER_PRIVATE_KEY: await exportPKCS8(trusted.privateKey),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    INTERNAL_AUTH_SECRET: INTERNAL_SECRET,
    RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
    RATE_LIMIT_WINDOW_MS: '60000',
    UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    UPSTREAM_CONNECT_TIMEOUT_MS: '500',
    BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
    DOCS_CACHE_TTL_MS: '0',
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    // Long enough that a held refusal is still held however slow this machine is (see below).
    EDGE_HOLD_MAX_MS: '60000',
  });
  // The dev issuer publishes the key it was given; its kid is what the IdP would put in headers.
  const jwks = (await call('/.well-known/jwks.json')).body as { keys: JWK[] };
  trustedKid = jwks.keys[0].kid ?? '';
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([booking?.close(), payment?.close(), storage?.close()]);
});

describe('authentication', () => {
  it('issues dev tokens that verify against the published JWKS', async () => {
    const issued = await call('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'customer-dev', role: 'customer' }),
    });
    expect(issued.status).toBe(200);
    const jwks = (await call('/.well-known/jwks.json')).body as { keys: JWK[] };
    const { payload } = await jwtVerify(
      String(issued.body.accessToken),
      createLocalJWKSet({ keys: jwks.keys }),
      {
        issuer: ISSUER,
        audience: AUDIENCE,
      },
    );
    expect(payload).toMatchObject({ sub: 'customer-dev', role: 'customer' });

    const through = await call('/api/bookings', { token: String(issued.body.accessToken) });
    expect(echoed(through).headers['x-user-id']).toBe('customer-dev');
  });

  it('answers 401 without a token, and the service never sees the request', async () => {
    const before = booking.requests.length;
    const answer = await call('/api/bookings');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ statusCode: 401, error: 'AUTHENTICATION_REQUIRED' });
    expect(answer.headers.get('www-authenticate')).toContain('Bearer');
    expect(booking.requests.length).toBe(before);
  });

  it('answers 401 for a token signed with another key (bad signature)', async () => {
    const forged = await token({ subject: 'customer-alice', role: 'staff', key: forgerKey });
    const answer = await call('/api/storage-units', { token: forged });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'TOKEN_INVALID', message: 'Token signature does not verify' });
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 401 for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await token({
      subject: 'customer-alice',
      role: 'customer',
      issuedAt: now - 7200,
      expiresAt: now - 3600,
    });
    const answer = await call('/api/bookings', { token: expired });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('TOKEN_EXPIRED');
  });

  it('answers 401 for a token of another issuer or audience, and for a malformed header', async () => {
    const otherIssuer = await token({
      subject: 'customer-alice',
      role: 'customer',
      issuer: 'https://evil.test',
    });
    const otherAudience = await token({
      subject: 'customer-alice',
      role: 'customer',
      audience: 'another-api',
    });
    expect((await call('/api/bookings', { token: otherIssuer })).status).toBe(401);
    expect((await call('/api/bookings', { token: otherAudience })).status).toBe(401);
    const basic = await call('/api/bookings', { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    expect(basic.status).toBe(401);
    expect(basic.body.error).toBe('TOKEN_INVALID');
  });
});

describe('authorization', () => {
  it('answers 403 when the role may not use the route', async () => {
    const registerUnit = await call('/api/storage-units', {
      method: 'POST',
      token: await customer(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'A-01', size: 'S' }),
    });
    expect(registerUnit.status).toBe(403);
    expect(registerUnit.body.error).toBe('FORBIDDEN');

    const roleless = await call('/api/bookings', { token: await token({ subject: 'nobody' }) });
    expect(roleless.status).toBe(403);
  });

  it('answers 405 with Allow for a method a resource is not offered with, whoever asks', async () => {
    // Charging is service-to-service: through the gateway, payments are read-only.
    const charge = await call('/api/payments', { method: 'POST', token: await customer(), body: '{}' });
    expect(charge.status).toBe(405);
    expect(charge.body.error).toBe('METHOD_NOT_ALLOWED');
    expect(charge.headers.get('allow')).toBe('GET, HEAD');
    const anonymous = await call('/api/payments', { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(405);
    // A method the gateway forwards nowhere is named the same way, with what the resource offers
    // (fetch refuses to send TRACE: Node's own client does).
    const traced = await plainCall('TRACE', '/api/bookings');
    expect(traced.status).toBe(405);
    expect(traced.headers.allow).toBe('GET, HEAD, POST');
    expect(JSON.parse(traced.body)).toMatchObject({
      error: 'METHOD_NOT_ALLOWED',
      message: 'TRACE is not served at /api/bookings; it is served with GET, HEAD, POST',
    });
    // The gateway's own endpoints: what its router holds.
    const tokenByGet = await call('/auth/token');
    expect(tokenByGet.status).toBe(405);
    expect(tokenByGet.headers.get('allow')).toBe('POST');
    // No resource at all is still a 404.
    expect((await call('/api/nothing', { method: 'DELETE' })).status).toBe(404);
  });

  it('lets staff manage units', async () => {
    const answer = await call('/api/storage-units', {
      method: 'POST',
      token: await staff(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'A-01', size: 'S', monthlyPrice: 50000 }),
    });
    const seen = echoed(answer);
    expect(seen).toMatchObject({ service: 'storage-assign', method: 'POST', path: '/storage-units' });
    expect(seen.headers['x-user-role']).toBe('staff');
  });

  it('serves availability and quotes without a token, still proving itself to the service', async () => {
    const seen = echoed(await call('/api/availability?size=S&from=2030-01-01&to=2030-02-01'));
    expect(seen).toMatchObject({ service: 'storage-assign', path: '/availability' });
    expect(seen.query).toEqual({ size: ['S'], from: ['2030-01-01'], to: ['2030-02-01'] });
    expect(seen.headers['x-user-id']).toBeUndefined();
    expect(seen.headers['x-internal-auth']).toBe(INTERNAL_SECRET);

    const quote = echoed(await call('/api/quotes?size=M&startDate=2030-01-01&endDate=2030-01-31'));
    expect(quote).toMatchObject({ service: 'booking', path: '/quotes' });
  });
});

describe('identity forwarding', () => {
  it('replaces forged identity headers with the identity of the token', async () => {
    const seen = echoed(
      await call('/api/bookings/b-1', {
        token: await customer(),
        headers: {
          'x-user-id': 'customer-mallory',
          'x-user-role': 'staff',
          'x-internal-auth': 'guessed-secret',
          'x-user-extra': 'anything',
          'x-forwarded-for': '198.51.100.66',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'evil.example',
        },
      }),
    );
    expect(seen.headers['x-user-id']).toBe('customer-alice');
    expect(seen.headers['x-user-role']).toBe('customer');
    expect(seen.headers['x-internal-auth']).toBe(INTERNAL_SECRET);
    expect(seen.headers['x-user-extra']).toBeUndefined();
    // The token stays at the edge: services trust the identity headers, not bearer tokens.
    expect(seen.headers.authorization).toBeUndefined();
    // No trusted proxy in front: the forwarded chain is the address the gateway saw, nothing else.
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    // Nor are a client's claims about the scheme and host it used.
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(gateway.url).host);
  });

  it("replaces a customer's customerId on list calls and drops it elsewhere", async () => {
    const list = echoed(
      await call('/api/bookings?customerId=customer-mallory&status=PAID&customerId=x', {
        token: await customer(),
      }),
    );
    expect(list.query).toEqual({ status: ['PAID'], customerId: ['customer-alice'] });

    const payments = echoed(
      await call('/api/payments?customerId=customer-mallory', { token: await customer() }),
    );
    expect(payments.query).toEqual({ customerId: ['customer-alice'] });

    const single = echoed(
      await call('/api/bookings/b-1?customerId=customer-mallory', { token: await customer() }),
    );
    expect(single.query).toEqual({});
  });

  it('keeps the customerId filter of staff', async () => {
    const seen = echoed(await call('/api/bookings?customerId=customer-bob', { token: await staff() }));
    expect(seen.query).toEqual({ customerId: ['customer-bob'] });
    expect(seen.headers['x-user-role']).toBe('staff');
  });
});

describe('proxying', () => {
  it('maps /api paths to the service and streams the body both ways', async () => {
    const body = JSON.stringify({ reason: 'plans changed', note: 'ü'.repeat(100) });
    const answer = await call('/api/bookings/b-42/cancel', {
      method: 'POST',
      token: await customer(),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'cancel-b-42' },
      body,
    });
    const seen = echoed(answer);
    expect(seen).toMatchObject({ service: 'booking', method: 'POST', path: '/bookings/b-42/cancel', body });
    expect(seen.headers['idempotency-key']).toBe('cancel-b-42');
    expect(answer.headers.get('x-echo-service')).toBe('booking');
    // The service's connection details (Node's "keep-alive: timeout=5") are not the client's.
    expect(answer.headers.get('keep-alive')).not.toBe('timeout=5');
  });

  it('reuses keep-alive connections to a service instead of connecting per request', async () => {
    const alice = await customer();
    echoed(await call('/api/payments', { token: alice }));
    const before = payment.connectionCount();
    for (let index = 0; index < 10; index += 1) {
      echoed(await call('/api/payments', { token: alice }));
    }
    expect(payment.connectionCount()).toBe(before);
  });

  describe('a pooled connection the service closed as the request went out on it', () => {
    // The echo service resets a reused connection when a `stale-connection` request arrives on
    // it, once per request id: the keep-alive race of a service stopping or restarting. A
    // customer of their own, so as not to spend the others' rate limit.
    const staleCustomer = () => token({ subject: 'customer-stale', role: 'customer' });
    async function staleCall(path: string, options: CallOptions = {}): Promise<Answer> {
      // A request first, so that a pooled connection is there to be reused.
      echoed(await call('/api/bookings', { token: options.token }));
      const answer = await call(path, options);
      expect(booking.resets).toContain(answer.headers.get('x-request-id'));
      return answer;
    }

    it('sends a read again on another connection', async () => {
      const answer = await staleCall('/api/bookings?stale-connection=1', { token: await staleCustomer() });
      expect(echoed(answer)).toMatchObject({ method: 'GET', path: '/bookings' });
    });

    it('sends a booking request with its Idempotency-Key again, its body whole, declared or chunked', async () => {
      const alice = await staleCustomer();
      const body = JSON.stringify({
        size: 'S',
        startDate: '2031-05-01',
        endDate: '2031-05-04',
        note: 'é'.repeat(50),
      });
      const declared = await staleCall('/api/bookings?stale-connection=1', {
        method: 'POST',
        token: alice,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'stale-declared-1' },
        body,
      });
      expect(echoed(declared)).toMatchObject({ method: 'POST', path: '/bookings', body });
      expect(echoed(declared).headers).toMatchObject({
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'idempotency-key': 'stale-declared-1',
      });
      const chunked = await staleCall('/api/bookings?stale-connection=1', {
        method: 'POST',
        token: alice,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'stale-chunked-1' },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(body.slice(0, 20)));
            controller.enqueue(new TextEncoder().encode(body.slice(20)));
            controller.close();
          },
        }),
      });
      expect(echoed(chunked)).toMatchObject({ method: 'POST', path: '/bookings', body });
      expect(echoed(chunked).headers['transfer-encoding']).toBeUndefined();
    });

    it('passes a keyed booking body without a content type on as it came, for the service to refuse', async () => {
      const answer = await call('/api/bookings', {
        method: 'POST',
        token: await staleCustomer(),
        headers: { 'idempotency-key': 'no-content-type-1' },
        body: new Blob(['{"size":"S"}']),
      });
      const seen = echoed(answer);
      expect(seen).toMatchObject({ method: 'POST', path: '/bookings', body: '{"size":"S"}' });
      expect(seen.headers['content-type']).toBeUndefined();
    });

    it('answers 502 for a write whose repeat could act twice: no key, or a path that ignores it', async () => {
      const alice = await staleCustomer();
      const writes: [string, Record<string, string>][] = [
        ['/api/bookings?stale-connection=1', {}],
        ['/api/bookings/b-7/cancel?stale-connection=1', { 'idempotency-key': 'stale-cancel-1' }],
      ];
      for (const [path, headers] of writes) {
        const answer = await staleCall(path, {
          method: 'POST',
          token: alice,
          headers: { 'content-type': 'application/json', ...headers },
          body: '{"size":"S"}',
        });
        expect({ path, status: answer.status, error: answer.body.error }).toEqual({
          path,
          status: 502,
          error: 'BAD_GATEWAY',
        });
      }
    });

    it('refuses a keyed booking body over the limit with 413, as a streamed one', async () => {
      const answer = await call('/api/bookings', {
        method: 'POST',
        token: await staleCustomer(),
        headers: { 'content-type': 'application/json', 'idempotency-key': 'too-large-1' },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(BODY_LIMIT_BYTES + 1).fill(0x20));
            controller.close();
          },
        }),
      });
      expect({ status: answer.status, error: answer.body.error }).toEqual({
        status: 413,
        error: 'PAYLOAD_TOO_LARGE',
      });
    });
  });

  it('creates X-Request-Id when absent, hands it to the service, returns it and logs it', async () => {
    const answer = await call('/api/bookings', { token: await customer() });
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoed(answer).headers['x-request-id']).toBe(requestId);
    const line = await gateway.process.waitForLog(
      `a request line with ${requestId}`,
      (entry) => entry.requestId === requestId && entry.msg === 'request completed',
    );
    expect(line).toMatchObject({ service: 'gateway', method: 'GET', url: '/api/bookings', statusCode: 200 });
  });

  it('keeps a client X-Request-Id and continues the client’s W3C trace from a span of its own', async () => {
    const requestId = `client-${randomUUID()}`;
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const answer = await call('/api/bookings', {
      token: await customer(),
      headers: { 'x-request-id': requestId, traceparent, tracestate: 'vendor=1' },
    });
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    const seen = echoed(answer);
    expect(seen.headers['x-request-id']).toBe(requestId);
    // Same trace, the client's sampling decision, and the gateway's own span as the parent.
    expect(seen.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(seen.headers.traceparent).not.toContain('00f067aa0ba902b7');
    expect(seen.headers.tracestate).toBe('vendor=1');
  });

  it('starts a trace when the client sends none, or a malformed one', async () => {
    const traces = new Set<string>();
    for (const headers of [{}, { traceparent: 'not-a-traceparent' }] as Record<string, string>[]) {
      const seen = echoed(await call('/api/bookings', { token: await customer(), headers }));
      const received = String(seen.headers.traceparent);
      expect(received).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(received.slice(3, 35)).not.toBe('0'.repeat(32));
      traces.add(received.slice(3, 35));
    }
    expect(traces.size).toBe(2);
  });

  it('refuses bodies over the limit with 413, declared or streamed', async () => {
    const before = booking.requests.length;
    const declared = await call('/api/bookings', {
      method: 'POST',
      token: await customer(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT_BYTES * 2) }),
    });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toBe('PAYLOAD_TOO_LARGE');
    expect(booking.requests.length).toBe(before);

    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= BODY_LIMIT_BYTES * 4) {
          controller.close();
          return;
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await call('/api/bookings', {
      method: 'POST',
      token: await customer(),
      headers: { 'content-type': 'application/octet-stream' },
      body: chunked,
    });
    expect(streamed.status).toBe(413);
  });

  it('refuses ambiguous paths instead of guessing how the service reads them', async () => {
    const answer = await call('/api/availability/..%2Fstorage-units', { token: await customer() });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('INVALID_PATH');
  });
});

describe('slow clients', () => {
  it('cuts a client trickling its body after the request timeout, and serves others meanwhile', async () => {
    const connection = await rawConnection(gateway.url);
    const started = Date.now();
    connection.socket.write(
      `POST /api/bookings HTTP/1.1\r\nHost: ${connection.host}\r\nAuthorization: Bearer ${await customer()}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n',
    );
    // One byte and then nothing: the connection must not be held open.
    expect((await call('/health/live')).status).toBe(200);
    const outcome = await connection.closedWithin(REQUEST_TIMEOUT_MS + 10_000);
    connection.socket.destroy();
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    if (connection.received()) {
      expect(connection.received()).toMatch(/^HTTP\/1\.1 408/);
    }
  });
});

describe('requests Node refuses before any route', () => {
  /**
   * Writes a request (or several, in one write) on a fresh connection; once the gateway has closed
   * it, the first answer's head and body, and everything received.
   */
  async function answerThenClose(
    request: (host: string) => string,
  ): Promise<{ head: string; body: string; received: string }> {
    const connection = await rawConnection(gateway.url);
    connection.socket.write(request(connection.host));
    const outcome = await connection.closedWithin(10_000);
    connection.socket.destroy();
    expect(outcome).toBe('closed');
    const received = connection.received();
    const [head, body] = received.split('\r\n\r\n');
    return { head, body, received };
  }

  it('names the problem in the one error shape and says the connection ends', async () => {
    const { head, body } = await answerThenClose(
      (host) =>
        `POST /api/bookings HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toEqual({
      statusCode: 400,
      error: 'MALFORMED_REQUEST',
      message: "Not a valid HTTP/1.1 request: Transfer-Encoding can't be present with Content-Length",
      requestId: expect.any(String) as unknown,
    });
  });

  it('answers requests pipelined before an unreadable one first, in order, and refuses it after them', async () => {
    const bearer = await customer();
    const get = (host: string, path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${bearer}\r\n\r\n`;
    // One write: both requests are read whole before the parser meets the third.
    const { received } = await answerThenClose(
      (host) => get(host, '/api/bookings/b-1') + get(host, '/health/live') + 'NOT HTTP\r\n\r\n',
    );
    // Before: the 400 alone, which a pipelining client reads as the answer to its first request.
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => match[1]);
    expect(statuses).toEqual(['200', '200', '400']);
    expect(received).toContain('"error":"MALFORMED_REQUEST"');
  });

  it('answers oversized headers with 431, and a keep-alive client goes on on a new connection', async () => {
    // Node's own agent, as most clients: it reuses a connection unless the answer says it ends.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (headers: Record<string, string>) =>
      new Promise<{ status?: number; connection?: string; body: string }>((resolve, reject) => {
        const request = httpRequest(`${gateway.url}/health/live`, { agent, headers }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode, connection: response.headers.connection, body }),
          );
        });
        request.on('error', reject);
        request.end();
      });
    try {
      const refused = await get({ 'x-padding': 'x'.repeat(20_000) });
      expect(refused.status).toBe(431);
      expect(refused.connection).toBe('close');
      expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 431, error: 'HEADERS_TOO_LARGE' });
      // Before: Fastify's answer left the connection looking reusable and this one met a reset.
      expect((await get({})).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('answers an HTTP/1.1 request without Host with a 400 naming it (Node says nothing), and serves HTTP/1.0 without one', async () => {
    const { head, body } = await answerThenClose(() => 'GET /health/live HTTP/1.1\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('connection: close');
    const requestId = /\r\nx-request-id: ([^\r]+)/i.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({
      statusCode: 400,
      error: 'MISSING_HOST',
      message: 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)',
      requestId,
    });
    // HTTP/1.0 has no Host header: still served (and its connection closed, as 1.0 does).
    const old = await answerThenClose(() => 'GET /health/live HTTP/1.0\r\n\r\n');
    expect(old.head).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('answers a request with two Host headers with a 400 (Node would read the first alone)', async () => {
    const { head, body } = await answerThenClose(
      (host) => `GET /health/live HTTP/1.1\r\nHost: ${host}\r\nHost: elsewhere.example\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 400,
      error: 'INVALID_HOST',
      message: 'A request carries one Host header; this one has 2',
    });
  });

  it('answers a transfer coding other than chunked with a 400 naming it, instead of reading the body as plain', async () => {
    const bearer = await customer();
    const json = JSON.stringify({ size: 'S', startDate: '2300-05-01', endDate: '2300-05-03' });
    // Node's parser takes `gzip, chunked` and undoes the chunking alone: the JSON above, claimed
    // to be compressed, was proxied and booked as it was.
    const { head, body } = await answerThenClose(
      (host) =>
        `POST /api/bookings HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${bearer}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n` +
        `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 400,
      error: 'UNSUPPORTED_TRANSFER_ENCODING',
      message:
        'Transfer-Encoding gzip is not accepted; send the body with chunked alone or with Content-Length',
    });
    // Without chunked last the parser cannot frame the body and refuses it too: still one answer.
    const alone = await answerThenClose(
      (host) =>
        `POST /api/bookings HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${bearer}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n${json}`,
    );
    expect(alone.received.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 400 ']);
    expect(alone.received).toContain('"error":"UNSUPPORTED_TRANSFER_ENCODING"');
  });

  it('answers CONNECT (a tunnel request) with a 405 naming it instead of dropping the connection', async () => {
    // Bytes after the request belong to the tunnel the client hoped for: never read as HTTP.
    const { head, body } = await answerThenClose(
      (host) =>
        `CONNECT upstream.example:443 HTTP/1.1\r\nHost: upstream.example:443\r\n\r\n` +
        `GET /health/live HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 405 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head.toLowerCase()).toMatch(/\r\nallow: \r\n/);
    expect(JSON.parse(body)).toEqual({
      statusCode: 405,
      error: 'METHOD_NOT_ALLOWED',
      message: 'CONNECT is not served here: this server is not a proxy',
      requestId: expect.any(String) as unknown,
    });
  });

  it('answers an Expect other than 100-continue with a 417 naming it, and ends the connection', async () => {
    const answer = await plainCall('GET', '/health/live', { expect: 'something-else' });
    expect(answer.status).toBe(417);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({
      statusCode: 417,
      error: 'EXPECTATION_FAILED',
      message: expect.stringContaining('only 100-continue') as unknown,
    });
  });
});

describe('a service answering before the body has arrived', () => {
  it('closes the client connection, so the rest of the body is never read as the next request', async () => {
    const connection = await rawConnection(gateway.url);
    // Headers and the first bytes of a 3 kB body (under the limit); the rest is never sent.
    connection.socket.write(
      `POST /api/bookings/refuse-early HTTP/1.1\r\nHost: ${connection.host}\r\nAuthorization: Bearer ${await customer()}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 3000\r\n\r\n{"size":',
    );
    const head = await waitFor(
      'the refusal to arrive',
      () => Promise.resolve(connection.received()),
      (text) => text.includes('\r\n\r\n'),
      { timeoutMs: 10_000 },
    ).finally(() => connection.socket.destroy());
    expect(head).toMatch(/^HTTP\/1\.1 415/);
    expect(head.toLowerCase()).toContain('connection: close');
  });
});

describe('a request asking for a protocol upgrade', () => {
  it.each([
    ['an API route', '/api/bookings/b-1'],
    ['a path the router refuses', '/api/bookings/%zz'],
    ["the gateway's own route", '/docs/services'],
  ])(
    'on %s is answered as HTTP/1.1 and its connection closed, so a body it carried cannot wedge the next request',
    async (_what, path) => {
      const connection = await rawConnection(gateway.url);
      const body = JSON.stringify({ note: 'x'.repeat(3000) });
      connection.socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${connection.host}\r\nAuthorization: Bearer ${await customer()}\r\n` +
          `Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
          `GET /health/live HTTP/1.1\r\nHost: ${connection.host}\r\n\r\n`,
      );
      const outcome = await connection.closedWithin(10_000);
      connection.socket.destroy();
      expect(outcome).toBe('closed');
      expect(connection.received()).toMatch(/^HTTP\/1\.1 [24]\d\d /);
      expect(connection.received().toLowerCase()).toContain('connection: close');
    },
  );
});

describe('clients dropping their uploads', () => {
  /** Opens a chunked upload, sends part of it, and leaves the socket for the caller to drop. */
  /** A booking upload that stops after its first bytes; with a key the gateway reads it whole first. */
  async function startUpload(url: string, bearer: string, idempotencyKey?: string): Promise<Socket> {
    const { socket, host } = await rawConnection(url);
    socket.write(
      `POST /api/bookings HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${bearer}\r\n` +
        (idempotencyKey ? `Idempotency-Key: ${idempotencyKey}\r\n` : '') +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"siz\r\n',
    );
    return socket;
  }

  it('survives hundreds of aborted uploads, queued for a connection, streaming or being read, and keeps serving', async () => {
    // A gateway of its own with a tiny upstream pool: uploads queue for a connection, which is
    // where an unhandled stream error used to take the whole process down.
    const small = await startOwnGateway({
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '100000',
      UPSTREAM_CONNECTIONS: '2',
      UPSTREAM_TIMEOUT_MS: '10000',
    });
    try {
      const bearer = await customer();
      // Hold both pooled connections with slow calls.
      const slowCalls = [0, 1].map(() =>
        fetch(`${small.url}/api/bookings/slow`, { headers: { authorization: `Bearer ${bearer}` } }),
      );
      for (let wave = 0; wave < 2; wave += 1) {
        const uploads = await Promise.all(
          Array.from({ length: 150 }, (_, index) =>
            startUpload(small.url, bearer, index % 2 === 0 ? `upload-${wave}-${index}` : undefined),
          ),
        );
        // A request on a fresh connection as a barrier: when it is answered, the gateway has read
        // the uploads' headers sent before it and routed them (queued for the pool in the first
        // wave, streaming to the service in the second). Then every one is dropped mid-body.
        expect((await fetch(`${small.url}/health/live`)).status).toBe(200);
        for (const socket of uploads) socket.destroy();
        if (wave === 0) {
          expect((await Promise.all(slowCalls)).map((answer) => answer.status)).toEqual([200, 200]);
        }
      }
      const served = await fetch(`${small.url}/api/bookings`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(served.status).toBe(200);
      expect((await fetch(`${small.url}/health/live`)).status).toBe(200);
      // The same process, alive, with no crash in its log.
      expect(small.process.running).toBe(true);
      expect(small.process.exitStatus).toBeUndefined();
      expect(small.process.lines().filter((line) => /uncaught|unhandled|fatal/i.test(line))).toEqual([]);
      // The clients gave up, not the service: nothing in the log may blame it (a 502 warning).
      expect(small.process.lines().filter((line) => line.includes('upstream request failed'))).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe('browsers on another origin (CORS_ORIGINS)', () => {
  let cors: BuiltService;
  const APP = 'https://app.example';

  beforeAll(async () => {
    cors = await startOwnGateway({ LOG_LEVEL: 'warn', CORS_ORIGINS: APP });
  });

  afterAll(async () => {
    await cors?.stop();
  });

  it("answers a listed origin's preflight for a booking with what it may send, before any token", async () => {
    const preflight = await plainCall(
      'OPTIONS',
      '/api/bookings',
      {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
      cors.url,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['access-control-allow-methods']?.split(/,\s*/)).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('idempotency-key');
  });

  it('lets the page read the answer and its request id, and gives other origins nothing', async () => {
    const read = await plainCall('GET', '/api/availability?size=M', { origin: APP }, cors.url);
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe(APP);
    expect(read.headers['access-control-expose-headers']).toContain('x-request-id');
    const other = await plainCall(
      'OPTIONS',
      '/api/bookings',
      { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
      cors.url,
    );
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // OPTIONS belongs to the CORS plugin here; other methods a resource lacks are still a 405.
    const traced = await plainCall('TRACE', '/api/bookings', { origin: APP }, cors.url);
    expect(traced.status).toBe(405);
    expect(traced.headers.allow).toBe('GET, HEAD, POST');
  });
});

describe('failing services', () => {
  it('answers a fast JSON 503 with Retry-After when the service is down', async () => {
    const answer = await call('/api/mypage/bookings', { token: await customer() });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ statusCode: 503, error: 'UPSTREAM_UNAVAILABLE' });
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.elapsedMs).toBeLessThan(1000);
    // The service's failure, unlike a client's that gives up, is a warning naming the service.
    const warning = await waitFor(
      'the failure to be logged',
      () =>
        Promise.resolve(
          gateway.process
            .lines()
            .find(
              (line) =>
                line.includes(answer.body.requestId as string) && line.includes('upstream request failed'),
            ),
        ),
      (line) => line !== undefined,
      { timeoutMs: 5_000 },
    );
    expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'warn', upstream: 'mypage', statusCode: 503 });
  });

  it('answers 504 when the service is slower than the response timeout', async () => {
    const answer = await call('/api/bookings/slow', { token: await customer() });
    expect(answer.status).toBe(504);
    expect(answer.body.error).toBe('UPSTREAM_TIMEOUT');
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 50);
    // undici checks timeouts on a coarse timer (up to ~0.5 s late): still far below the 5 s delay.
    expect(answer.elapsedMs).toBeLessThan(UPSTREAM_TIMEOUT_MS + 1500);
  });
});

describe('a refusal the service says holds for everyone (x-edge-hold-ms)', () => {
  const postTo = (path: string, bearer: string, headers: Record<string, string> = {}) =>
    call(path, {
      method: 'POST',
      token: bearer,
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
  const hitsOf = (servicePath: string) => booking.requests.filter((seen) => seen.path === servicePath).length;

  it('is answered by the gateway while it holds, each answer with its own request id', async () => {
    const client = await token({ subject: 'customer-held', role: 'customer' });
    const path = '/api/bookings/held-refusal?hold=60000';
    const first = await postTo(path, client);
    expect(hitsOf('/bookings/held-refusal')).toBe(1);
    const repeated = await Promise.all([postTo(path, client), postTo(path, client), postTo(path, client)]);
    // The service was not asked again.
    expect(hitsOf('/bookings/held-refusal')).toBe(1);
    for (const answer of [first, ...repeated]) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        statusCode: 503,
        error: 'PAYMENT_UNAVAILABLE',
        message: 'Payment is busy right now',
        details: { cause: 'overloaded' },
      });
      expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
      expect(answer.headers.get('retry-after')).toBe('2');
      // Said to the gateway alone.
      expect(answer.headers.get('x-edge-hold-ms')).toBeNull();
    }
    expect(new Set([first, ...repeated].map((answer) => answer.body.requestId)).size).toBe(4);

    // A request with an Idempotency-Key may be a replay the service answers from its records.
    const keyed = await postTo(path, client, { 'idempotency-key': 'held-refusal-replay-1' });
    expect(keyed.status).toBe(503);
    expect(hitsOf('/bookings/held-refusal')).toBe(2);
    // Another method on the same path is another operation.
    expect((await call('/api/bookings/held-refusal', { token: client })).status).toBe(503);
    expect(hitsOf('/bookings/held-refusal')).toBe(3);

    const samples = await scrape(gateway.metricsUrl);
    expect(total(samples, 'gateway_held_refusals_total', { upstream: 'booking' })).toBe(3);
  });

  it('asks the service again once the hold is over', async () => {
    const client = await token({ subject: 'customer-held-briefly', role: 'customer' });
    const path = '/api/bookings/held-refusal-briefly?hold=300';
    expect((await postTo(path, client)).status).toBe(503);
    expect(hitsOf('/bookings/held-refusal-briefly')).toBe(1);
    await waitFor(
      'the service to be asked again after a 300 ms hold',
      async () => {
        await postTo(path, client);
        return hitsOf('/bookings/held-refusal-briefly');
      },
      (hits) => hits === 2,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a client exceeds its budget, per subject', async () => {
    const greedy = await token({ subject: 'customer-greedy', role: 'customer' });
    const answers = await Promise.all(
      Array.from({ length: RATE_LIMIT_MAX + 1 }, () => call('/api/availability?size=M', { token: greedy })),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0].body).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED' });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);

    // Another client is not affected.
    expect((await call('/api/availability?size=M', { token: await customer() })).status).toBe(200);

    // An operator sees the refusal on the gateway's metrics port, by route template.
    const samples = await scrape(gateway.metricsUrl);
    expect(total(samples, 'gateway_rate_limit_refusals_total', { route: '/api/availability' })).toBe(1);
  });
});

describe('API doc', () => {
  it('lists every service that answers, and leaves a down service out', async () => {
    const answer = await call('/docs/services');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      specs: [
        { name: 'gateway', url: '/docs-json' },
        { name: 'booking', url: '/docs/services/booking/openapi.json' },
        { name: 'payment', url: '/docs/services/payment/openapi.json' },
        { name: 'storage-assign', url: '/docs/services/storage-assign/openapi.json' },
      ],
      unavailable: ['mypage'],
    });
  });

  it("serves each service's spec rewritten to the gateway's paths and access rules", async () => {
    const bookingSpec = (await call('/docs/services/booking/openapi.json')).body as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(bookingSpec.servers).toEqual([expect.objectContaining({ url: '/api' })]);
    expect(Object.keys(bookingSpec.paths).sort()).toEqual(['/bookings', '/bookings/{id}/cancel', '/quotes']);
    expect(bookingSpec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });

    const paymentSpec = (await call('/docs/services/payment/openapi.json')).body as typeof bookingSpec;
    expect(Object.keys(paymentSpec.paths['/payments'])).toEqual(['get']);

    const storageSpec = (await call('/docs/services/storage-assign/openapi.json')).body as typeof bookingSpec;
    expect(storageSpec.paths['/availability'].get.security).toEqual([]);

    expect((await call('/docs/services/mypage/openapi.json')).status).toBe(503);
  });

  it('serves the Swagger UI page with a selector of those specs, under a strict CSP', async () => {
    const page = await call('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    const init = await call('/docs/swagger-ui-init.js');
    expect(init.text).toContain('/docs/services/booking/openapi.json');
    expect(init.text).toContain('"persistAuthorization":true');
    expect(init.text).not.toContain('/docs/services/mypage/openapi.json');

    expect((await call('/docs/swagger-ui-bundle.js')).status).toBe(200);
    const own = (await call('/docs-json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(own.paths)).toEqual(expect.arrayContaining(['/auth/token', '/.well-known/jwks.json']));
  });
});

describe('shutdown', () => {
  it('answers the requests in flight, then stops on SIGTERM', async () => {
    const slowCalls = () => booking.requests.filter((request) => request.path === '/bookings/slow').length;
    const before = slowCalls();
    const inFlight = call('/api/bookings/slow', { token: await customer() });
    await waitFor(
      'the slow request to reach booking',
      () => Promise.resolve(slowCalls()),
      (n) => n > before,
    );
    await gateway.stop();
    expect((await inFlight).status).toBe(504);
    expect(gateway.process.exitStatus).toEqual({ code: 0, signal: null });
    expect(gateway.process.jsonLines().at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

import {
  downstreamHeaders,
  upstreamHeaders,
  upstreamQuery,
  type ForwardingContext,
} from './upstream-request';

const context: ForwardingContext = {
  identity: { subject: 'customer-alice', role: 'customer' },
  internalAuthSecret: 'internal-secret-0123456789',
  requestId: 'req-1',
  forwardedFor: ['203.0.113.7'],
  protocol: 'https',
  host: 'api.example.test',
};

describe('headers sent to a service', () => {
  it('replaces forged identity and trust headers with the verified identity', () => {
    const headers = upstreamHeaders(
      {
        'x-user-id': 'customer-mallory',
        'x-user-role': 'staff',
        'x-internal-auth': 'guess',
        'X-User-Tenant': 'other',
        'x-internal-anything': 'x',
      },
      context,
    );
    expect(headers).toMatchObject({
      'x-user-id': 'customer-alice',
      'x-user-role': 'customer',
      'x-internal-auth': 'internal-secret-0123456789',
    });
    expect(headers['x-user-tenant']).toBeUndefined();
    expect(headers['X-User-Tenant']).toBeUndefined();
    expect(headers['x-internal-anything']).toBeUndefined();
  });

  it('drops the client hop-by-hop headers and whatever its Connection header names', () => {
    const headers = upstreamHeaders(
      {
        connection: 'keep-alive, X-User-Role, x-trace-me',
        'keep-alive': 'timeout=5',
        expect: '100-continue',
        upgrade: 'h2c',
        'http2-settings': 'AAMAAABkAAQAAP__',
        te: 'trailers',
        'x-trace-me': '1',
        'content-type': 'application/json',
        'idempotency-key': 'key-12345678',
      },
      context,
    );
    for (const name of [
      'connection',
      'keep-alive',
      'expect',
      'upgrade',
      'http2-settings',
      'te',
      'x-trace-me',
    ]) {
      expect(headers[name]).toBeUndefined();
    }
    // The gateway's own identity headers survive a client naming them in Connection.
    expect(headers).toMatchObject({
      'x-user-id': 'customer-alice',
      'x-user-role': 'customer',
      'content-type': 'application/json',
      'idempotency-key': 'key-12345678',
    });
  });

  it('sends no identity at all for an anonymous caller, even if the client sent one', () => {
    const headers = upstreamHeaders(
      { 'x-user-id': 'customer-mallory', 'x-user-role': 'staff' },
      { ...context, identity: undefined },
    );
    expect(headers['x-user-id']).toBeUndefined();
    expect(headers['x-user-role']).toBeUndefined();
    expect(headers['x-internal-auth']).toBe('internal-secret-0123456789');
  });

  it('forwards a token without a platform role as anonymous: never half an identity', () => {
    const headers = upstreamHeaders({}, { ...context, identity: { subject: 'someone' } });
    expect(headers['x-user-id']).toBeUndefined();
    expect(headers['x-user-role']).toBeUndefined();
  });

  it('keeps the bearer token at the edge and omits the secret when none is configured', () => {
    const headers = upstreamHeaders(
      { authorization: 'Bearer abc' },
      { ...context, internalAuthSecret: undefined },
    );
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-internal-auth']).toBeUndefined();
  });

  it('passes the request through: content type, idempotency key, W3C trace context', () => {
    const headers = upstreamHeaders(
      {
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'vendor=1',
      },
      context,
    );
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'k-1',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
    });
  });

  it("sets the request's id, overriding whatever the client sent under that name", () => {
    expect(upstreamHeaders({ 'x-request-id': 'client-chosen' }, context)['x-request-id']).toBe('req-1');
  });

  it('rebuilds X-Forwarded-For from the trusted chain and sets the forwarded protocol and host', () => {
    const headers = upstreamHeaders(
      { 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'gopher', forwarded: 'for=evil' },
      { ...context, forwardedFor: ['203.0.113.7', '10.0.0.5'] },
    );
    expect(headers).toMatchObject({
      'x-forwarded-for': '203.0.113.7, 10.0.0.5',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.test',
    });
    expect(headers.forwarded).toBeUndefined();
  });
});

describe('headers sent back to the client', () => {
  it("drops the service connection's hop-by-hop headers and keeps the rest", () => {
    expect(
      downstreamHeaders({
        'content-type': 'application/json',
        connection: 'keep-alive',
        'Keep-Alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'retry-after': '3',
        'x-request-id': 'req-1',
      }),
    ).toEqual({ 'content-type': 'application/json', 'retry-after': '3', 'x-request-id': 'req-1' });
  });

  it("drops what a service says to the gateway alone: a refusal's hold", () => {
    expect(downstreamHeaders({ 'retry-after': '2', 'x-edge-hold-ms': '50', 'X-Edge-Hold-Ms': '50' })).toEqual(
      { 'retry-after': '2' },
    );
  });
});

describe('query sent to a service', () => {
  it("forces a customer's list filter to the token subject", () => {
    expect(
      upstreamQuery('customerId=customer-mallory&status=PAID&customerId=x', 'customer-alice', true),
    ).toBe('status=PAID&customerId=customer-alice');
    expect(upstreamQuery('', 'customer-alice', true)).toBe('customerId=customer-alice');
  });

  it('drops a customerId on non-list calls (the service would reject an unknown field)', () => {
    expect(upstreamQuery('customerId=customer-mallory', 'customer-alice', false)).toBe('');
    expect(upstreamQuery('expand=payment&customerId=x', 'customer-alice', false)).toBe('expand=payment');
  });

  it('leaves staff and public queries byte for byte', () => {
    expect(upstreamQuery('customerId=customer-bob&limit=10&q=a%20b', undefined, true)).toBe(
      'customerId=customer-bob&limit=10&q=a%20b',
    );
  });
});

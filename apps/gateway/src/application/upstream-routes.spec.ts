import {
  isCustomerList,
  isRepeatable,
  resolveGatewayPath,
  routeForServicePath,
  UPSTREAM_ROUTES,
} from './upstream-routes';

function routed(path: string): { upstream: string; servicePath: string } {
  const resolution = resolveGatewayPath(path);
  if (resolution.kind !== 'routed') {
    throw new Error(`${path} was ${resolution.kind}`);
  }
  return { upstream: resolution.route.upstream, servicePath: resolution.servicePath };
}

describe('gateway path mapping', () => {
  it.each([
    ['/api/bookings', 'booking', '/bookings'],
    ['/api/bookings/6f1c/cancel', 'booking', '/bookings/6f1c/cancel'],
    ['/api/bookings/6f1c/check-out', 'booking', '/bookings/6f1c/check-out'],
    ['/api/quotes', 'booking', '/quotes'],
    ['/api/payments', 'payment', '/payments'],
    ['/api/payments/7a2b', 'payment', '/payments/7a2b'],
    ['/api/storage-units', 'storage-assign', '/storage-units'],
    ['/api/storage-units/u-1', 'storage-assign', '/storage-units/u-1'],
    ['/api/availability', 'storage-assign', '/availability'],
    ['/api/mypage/bookings', 'mypage', '/mypage/bookings'],
    ['/api/mypage/notices', 'mypage', '/mypage/notices'],
  ])('maps %s to %s %s', (path, upstream, servicePath) => {
    expect(routed(path)).toEqual({ upstream, servicePath });
  });

  it('keeps percent-encoding as sent', () => {
    expect(routed('/api/storage-units/A%20-01').servicePath).toBe('/storage-units/A%20-01');
  });

  it('routes nothing outside /api or outside the route table', () => {
    expect(resolveGatewayPath('/bookings')).toEqual({ kind: 'unrouted' });
    expect(resolveGatewayPath('/apix/bookings')).toEqual({ kind: 'unrouted' });
    expect(resolveGatewayPath('/api/bookingsx')).toEqual({ kind: 'unrouted' });
    expect(resolveGatewayPath('/api/health/live')).toEqual({ kind: 'unrouted' });
    expect(resolveGatewayPath('/api')).toEqual({ kind: 'unrouted' });
  });

  it.each([
    '/api/availability/../storage-units',
    '/api/availability/..%2Fstorage-units',
    '/api/availability/%2e%2e/storage-units',
    '/api/bookings/./x',
    '/api/bookings//x',
    '/api/bookings/a%5Cb',
    '/api/bookings/a\\b',
    '/api/bookings/%00',
    '/api/bookings/%E0%A4%A',
    '/api/bookings/%0d%0ax-user-id:%20evil',
  ])('refuses the ambiguous path %s', (path) => {
    expect(resolveGatewayPath(path).kind).toBe('rejected');
  });

  it('allows a trailing slash (the service decides whether it knows the path)', () => {
    expect(routed('/api/bookings/')).toEqual({ upstream: 'booking', servicePath: '/bookings/' });
  });

  it("finds the gateway route of a service's own path, for rewriting its OpenAPI", () => {
    expect(routeForServicePath('booking', '/bookings/{id}')?.resource).toBe('bookings');
    expect(routeForServicePath('storage-assign', '/availability')?.resource).toBe('availability');
    expect(routeForServicePath('storage-assign', '/health/ready')).toBeUndefined();
    expect(routeForServicePath('payment', '/bookings')).toBeUndefined();
  });

  it("knows which paths are a customer's own lists", () => {
    const [bookings] = UPSTREAM_ROUTES;
    const mypage = UPSTREAM_ROUTES.find((route) => route.resource === 'mypage')!;
    expect(isCustomerList(bookings, '/bookings')).toBe(true);
    expect(isCustomerList(bookings, '/bookings/')).toBe(true);
    // As the service decodes it: an encoded letter must not dodge the customer pinning.
    expect(isCustomerList(bookings, '/%62ookings')).toBe(true);
    expect(isCustomerList(bookings, '/b%6Fokings/')).toBe(true);
    expect(isCustomerList(bookings, '/bookings/b-1')).toBe(false);
    expect(isCustomerList(mypage, '/mypage/notices')).toBe(true);
    expect(isCustomerList(mypage, '/mypage/bookings/b-1')).toBe(false);
  });

  it('repeats reads, and a booking request with its Idempotency-Key, nothing else', () => {
    const route = (resource: string) => UPSTREAM_ROUTES.find((candidate) => candidate.resource === resource)!;
    const bookings = route('bookings');
    expect(isRepeatable(bookings, 'GET', '/bookings/b-1', false)).toBe(true);
    expect(isRepeatable(bookings, 'HEAD', '/bookings', false)).toBe(true);
    expect(isRepeatable(bookings, 'POST', '/bookings', true)).toBe(true);
    expect(isRepeatable(bookings, 'POST', '/b%6Fokings/', true)).toBe(true);
    // Without the key a repeat would be a second booking.
    expect(isRepeatable(bookings, 'POST', '/bookings', false)).toBe(false);
    // A cancellation ignores the key: its repeat would answer "already cancelled" to the canceller.
    expect(isRepeatable(bookings, 'POST', '/bookings/b-1/cancel', true)).toBe(false);
    expect(isRepeatable(route('storage-units'), 'POST', '/storage-units', true)).toBe(false);
    expect(isRepeatable(route('storage-units'), 'DELETE', '/storage-units/u-1', true)).toBe(false);
    expect(isRepeatable(route('storage-units'), 'PATCH', '/storage-units/u-1', true)).toBe(false);
  });
});

import type { Identity } from './identity';
import { ACCESS_RULES, audienceOf, decideAccess, methodsOffered } from './route-access.policy';
import type { Resource } from './upstream-routes';

const alice: Identity = { subject: 'customer-alice', role: 'customer' };
const sam: Identity = { subject: 'staff-sam', role: 'staff' };
const roleless: Identity = { subject: 'someone' };

describe('route access policy', () => {
  it('lets anyone read availability and price quotes, token or not', () => {
    expect(decideAccess('availability', 'GET', undefined)).toEqual({ allowed: true });
    expect(decideAccess('quotes', 'GET', undefined)).toEqual({ allowed: true });
    expect(decideAccess('quotes', 'POST', alice)).toMatchObject({
      allowed: false,
      status: 405,
      allow: ['GET', 'HEAD'],
    });
    expect(decideAccess('availability', 'HEAD', undefined)).toEqual({ allowed: true });
    expect(decideAccess('availability', 'GET', roleless)).toEqual({ allowed: true });
  });

  it.each<[Resource, string]>([
    ['bookings', 'GET'],
    ['bookings', 'POST'],
    ['payments', 'GET'],
    ['mypage', 'GET'],
    ['storage-units', 'GET'],
    ['storage-units', 'POST'],
  ])('asks for a token on %s %s (401)', (resource, method) => {
    expect(decideAccess(resource, method, undefined)).toMatchObject({
      allowed: false,
      status: 401,
      error: 'AUTHENTICATION_REQUIRED',
    });
  });

  it('pins customers to their own bookings, payments and my page', () => {
    for (const [resource, method] of [
      ['bookings', 'GET'],
      ['bookings', 'POST'],
      ['payments', 'GET'],
      ['mypage', 'GET'],
    ] as const) {
      expect(decideAccess(resource, method, alice)).toEqual({
        allowed: true,
        customerScope: 'customer-alice',
      });
    }
  });

  it('lets staff read everything without a customer scope', () => {
    for (const resource of ['bookings', 'payments', 'mypage', 'storage-units'] as const) {
      expect(decideAccess(resource, 'GET', sam)).toEqual({ allowed: true, customerScope: undefined });
    }
  });

  it('reserves unit management to staff (403 for customers)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(decideAccess('storage-units', method, sam)).toEqual({ allowed: true, customerScope: undefined });
      expect(decideAccess('storage-units', method, alice)).toMatchObject({
        allowed: false,
        status: 403,
        error: 'FORBIDDEN',
      });
    }
    expect(decideAccess('storage-units', 'GET', alice)).toEqual({ allowed: true, customerScope: undefined });
  });

  it('keeps payments read-only for everyone: charging is service-to-service (405, token or not)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE']) {
      for (const caller of [alice, sam, undefined]) {
        expect(decideAccess('payments', method, caller)).toEqual({
          allowed: false,
          status: 405,
          error: 'METHOD_NOT_ALLOWED',
          message: `${method} is not offered on payments through the gateway; it is offered with GET, HEAD`,
          allow: ['GET', 'HEAD'],
        });
      }
    }
  });

  it('names what each resource is offered with, HEAD wherever GET is', () => {
    expect(methodsOffered('bookings')).toEqual(['GET', 'HEAD', 'POST']);
    expect(methodsOffered('mypage')).toEqual(['GET', 'HEAD']);
    expect(methodsOffered('storage-units')).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('refuses a valid token without a platform role on non-public routes', () => {
    expect(decideAccess('bookings', 'GET', roleless)).toMatchObject({
      allowed: false,
      status: 403,
      message: 'Role (none) may not GET bookings',
    });
  });

  it('treats HEAD like GET and methods case-insensitively', () => {
    expect(decideAccess('mypage', 'head', alice)).toEqual({ allowed: true, customerScope: 'customer-alice' });
    expect(audienceOf('bookings', 'post')).toEqual(['customer', 'staff']);
    expect(audienceOf('bookings', 'DELETE')).toBeUndefined();
  });

  it('has a rule set for every resource, and only customer-owned data is scoped', () => {
    expect(Object.keys(ACCESS_RULES).sort()).toEqual([
      'availability',
      'bookings',
      'mypage',
      'payments',
      'quotes',
      'storage-units',
    ]);
    expect(
      Object.entries(ACCESS_RULES)
        .filter(([, rules]) => rules.ownedByCustomer)
        .map(([resource]) => resource)
        .sort(),
    ).toEqual(['bookings', 'mypage', 'payments']);
  });
});

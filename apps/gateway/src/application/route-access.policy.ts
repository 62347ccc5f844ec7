import type { Role } from '@storage/contracts';
import type { Identity } from './identity';
import type { Resource } from './upstream-routes';

/** Who may use one method on one resource: anyone (no token needed) or the listed roles. */
export type Audience = 'public' | readonly Role[];

const EVERY_ROLE: readonly Role[] = ['customer', 'staff'];
const STAFF_ONLY: readonly Role[] = ['staff'];

interface ResourceRules {
  /**
   * True when a customer may only see their own records here: the gateway then pins the caller's
   * identity (and list filters) to the token subject, and the service scopes the data to it.
   */
  readonly ownedByCustomer: boolean;
  /** Methods not listed are refused to everyone (e.g. POST /payments is service-to-service only). */
  readonly methods: Readonly<Partial<Record<string, Audience>>>;
}

/**
 * The whole authorization model of the edge in one table, so a reviewer can check it at a glance:
 * availability and price quotes are public; customers book, cancel and read their own bookings,
 * payments and my page; staff manage the unit inventory and may read everything.
 */
export const ACCESS_RULES: Readonly<Record<Resource, ResourceRules>> = {
  availability: { ownedByCustomer: false, methods: { GET: 'public' } },
  quotes: { ownedByCustomer: false, methods: { GET: 'public' } },
  bookings: { ownedByCustomer: true, methods: { GET: EVERY_ROLE, POST: EVERY_ROLE } },
  payments: { ownedByCustomer: true, methods: { GET: EVERY_ROLE } },
  mypage: { ownedByCustomer: true, methods: { GET: EVERY_ROLE } },
  'storage-units': {
    ownedByCustomer: false,
    methods: { GET: EVERY_ROLE, POST: STAFF_ONLY, PUT: STAFF_ONLY, PATCH: STAFF_ONLY, DELETE: STAFF_ONLY },
  },
};

export type AccessDecision =
  | {
      readonly allowed: true;
      /** The customer id every customer-owned read and write is pinned to; absent for staff. */
      readonly customerScope?: string;
    }
  | {
      readonly allowed: false;
      readonly status: 401 | 403;
      readonly error: 'AUTHENTICATION_REQUIRED' | 'FORBIDDEN';
      readonly message: string;
    }
  | {
      readonly allowed: false;
      readonly status: 405;
      readonly error: 'METHOD_NOT_ALLOWED';
      readonly message: string;
      /** What the resource is offered with, for the answer's `Allow`. */
      readonly allow: readonly string[];
    };

/** HEAD is a GET without a body: whoever may GET may HEAD. */
function normalise(method: string): string {
  const upper = method.toUpperCase();
  return upper === 'HEAD' ? 'GET' : upper;
}

export function audienceOf(resource: Resource, method: string): Audience | undefined {
  return ACCESS_RULES[resource].methods[normalise(method)];
}

/** The methods a resource is offered with through the gateway (HEAD wherever GET is). */
export function methodsOffered(resource: Resource): readonly string[] {
  return Object.keys(ACCESS_RULES[resource].methods).flatMap((method) =>
    method === 'GET' ? ['GET', 'HEAD'] : [method],
  );
}

/**
 * Decides whether a caller may use a method on a resource. Pure: the same inputs always give the
 * same answer, so the table above is the complete truth about access at the gateway.
 */
export function decideAccess(
  resource: Resource,
  method: string,
  caller: Identity | undefined,
): AccessDecision {
  const audience = audienceOf(resource, method);
  if (audience === undefined) {
    // Whoever asks: the method is not offered here at all (documented in the API), which is a
    // 405 naming what is, not a refusal of this caller.
    const allow = methodsOffered(resource);
    return {
      allowed: false,
      status: 405,
      error: 'METHOD_NOT_ALLOWED',
      message: `${method.toUpperCase()} is not offered on ${resource} through the gateway; it is offered with ${allow.join(', ')}`,
      allow,
    };
  }
  if (audience === 'public') {
    return { allowed: true };
  }
  if (caller === undefined) {
    return {
      allowed: false,
      status: 401,
      error: 'AUTHENTICATION_REQUIRED',
      message: 'A bearer token is required',
    };
  }
  const verb = normalise(method);
  if (caller.role === undefined || !audience.includes(caller.role)) {
    return {
      allowed: false,
      status: 403,
      error: 'FORBIDDEN',
      message: `Role ${caller.role ?? '(none)'} may not ${verb} ${resource}`,
    };
  }
  const pinned = ACCESS_RULES[resource].ownedByCustomer && caller.role === 'customer';
  return { allowed: true, customerScope: pinned ? caller.subject : undefined };
}

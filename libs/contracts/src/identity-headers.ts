/**
 * The gateway -> service HTTP contract for who is calling (owned by the gateway, additive only).
 * The gateway sets these from a verified JWT and strips any copy a client sends; services believe
 * them only on requests that passed the internal-auth check (service-kit's internal-auth.ts).
 */
export const IdentityHeaders = {
  userId: 'x-user-id',
  role: 'x-user-role',
  internalAuth: 'x-internal-auth',
} as const;

export const ROLES = ['customer', 'staff'] as const;
export type Role = (typeof ROLES)[number];

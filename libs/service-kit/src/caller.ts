import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IdentityHeaders, ROLES, type Role } from '@storage/contracts';

export interface Caller {
  /** Absent on direct calls in local development (no gateway, no identity). */
  userId?: string;
  role?: Role;
}

export function callerFrom(request: FastifyRequest): Caller {
  const userId = request.headers[IdentityHeaders.userId];
  const role = request.headers[IdentityHeaders.role];
  return {
    userId: typeof userId === 'string' && userId.length > 0 ? userId : undefined,
    role: ROLES.find((known) => known === role),
  };
}

/** True when the caller is a customer acting for themselves (so data must be scoped to them). */
export function isCustomer(caller: Caller): caller is Caller & { userId: string; role: 'customer' } {
  return caller.role === 'customer' && caller.userId !== undefined;
}

export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  return callerFrom(context.switchToHttp().getRequest<FastifyRequest>());
});

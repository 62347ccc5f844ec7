import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IdentityHeaders } from '@storage/contracts';
import { TRUSTED, type Actor } from '@storage/ddd';

/**
 * The actor of a request, from the identity headers the gateway set from a verified token
 * (believed only after the internal-auth check). A customer acts for themselves; staff, another
 * service and a direct call in local development (no identity) are trusted.
 */
export function actorFrom(request: FastifyRequest): Actor {
  const userId = request.headers[IdentityHeaders.userId];
  const role = request.headers[IdentityHeaders.role];
  return role === 'customer' && typeof userId === 'string' && userId.length > 0
    ? { kind: 'customer', customerId: userId }
    : TRUSTED;
}

export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  return actorFrom(context.switchToHttp().getRequest<FastifyRequest>());
});

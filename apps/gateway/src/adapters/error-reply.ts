import type { FastifyReply } from 'fastify';
import { currentRequestContext } from '@storage/observability';
import type { ErrorBody } from '@storage/service-kit';

/**
 * Errors answered by the edge itself (authentication, authorization, rate limit, unreachable
 * service) in the same JSON shape as the services' HttpErrorFilter, request id included, so a
 * client handles one error format whoever answered.
 */
export function sendError(
  reply: FastifyReply,
  statusCode: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): FastifyReply {
  const body: ErrorBody = {
    statusCode,
    error,
    message,
    requestId: currentRequestContext()?.requestId ?? headerText(reply.getHeader('x-request-id')),
  };
  return reply.status(statusCode).headers(headers).type('application/json; charset=utf-8').send(body);
}

function headerText(value: ReturnType<FastifyReply['getHeader']>): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

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
  return sendErrorBody(reply, { statusCode, error, message }, headers);
}

/** An error body given whole (a service's, repeated by the edge), with this request's id. */
export function sendErrorBody(
  reply: FastifyReply,
  body: Readonly<ErrorBody>,
  headers: Record<string, string> = {},
): FastifyReply {
  const requestId = currentRequestContext()?.requestId ?? headerText(reply.getHeader('x-request-id'));
  return reply
    .status(body.statusCode)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send({ ...body, requestId } satisfies ErrorBody);
}

function headerText(value: ReturnType<FastifyReply['getHeader']>): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

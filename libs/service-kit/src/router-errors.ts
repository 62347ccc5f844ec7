import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { closeConnectionAfterAnswer } from './connection-draining';
import type { ErrorBody } from './http-error.filter';

/**
 * The router's own refusals, which run no hooks: in the one error shape, and always closing the
 * connection (a request this malformed may carry an unread body, e.g. one of an Upgrade request),
 * lingering while the client still sends that body (found by the API fuzz suite: a 2 MB body to
 * `/api/bookings/%/cancel` got a write EPIPE instead of the 400).
 */
export function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body: ErrorBody =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? { statusCode: 414, error: 'URI_TOO_LONG', message: 'A path parameter is longer than any valid value' }
      : {
          statusCode: 400,
          error: 'INVALID_PATH',
          message: 'The path is not a valid URL path (bad percent-encoding)',
        };
  closeConnectionAfterAnswer(request, reply);
  void reply.code(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}

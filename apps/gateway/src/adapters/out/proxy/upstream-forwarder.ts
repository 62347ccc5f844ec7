import replyFrom, { type FastifyReplyFromOptions, type RetryDetails } from '@fastify/reply-from';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  currentRequestContext,
  endSpan,
  SpanKind,
  startSpan,
  traceparentOf,
  tracingExported,
} from '@storage/observability';
import type { ApiForwarder, ForwardPlan } from '../../../application/ports/api-forwarder.port';
import { downstreamHeaders, upstreamHeaders } from '../../../application/upstream-request';
import type { UpstreamName } from '../../../application/upstream-routes';
import { sendError } from '../../error-reply';
import { BodyLimiter } from '../../body-limit';
import { classifyUpstreamFailure, errorCodes } from './upstream-failure';

export interface UpstreamForwarderOptions {
  readonly urls: Readonly<Record<UpstreamName, string>>;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly connectionsPerUpstream: number;
  readonly internalAuthSecret?: string;
}

/** Stale keep-alive sockets (closed by the service between two requests) surface as these. */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);
const IDEMPOTENT = new Set(['GET', 'HEAD']);

/**
 * reply-from's default retries GETs on a 503 up to ten times, which would turn a service's "try
 * again shortly" (circuit open, draining) into a long hang at the gateway. The only retry kept is
 * one immediate retry of a read whose pooled connection turned out to be dead: nothing reached the
 * service, so it is safe, and it hides keep-alive races from clients.
 */
function retryStaleRead(details: RetryDetails): number | null {
  // reply-from's typings name Fastify types here, but at run time `req` is the outgoing request
  // description and `res` the upstream response (absent when the request itself failed).
  const method = (details.req as unknown as { method: string }).method;
  const response = details.res as unknown;
  if (response || details.attempt > 0 || !IDEMPOTENT.has(method)) {
    return null;
  }
  return errorCodes(details.err).some((code) => STALE_CONNECTION.has(code)) ? 10 : null;
}

/**
 * Streams requests to the services and their answers back, over keep-alive connection pools
 * (undici, one pool per service origin). Bodies are never buffered; time limits are bounded
 * by the connect timeout (service down) and the response timeout (service slow).
 */
export class UpstreamForwarder implements ApiForwarder {
  private readonly logger = new Logger(UpstreamForwarder.name);

  constructor(private readonly options: UpstreamForwarderOptions) {}

  /** Adds `reply.from` to the Fastify context the API routes live in. */
  async register(fastify: FastifyInstance): Promise<void> {
    const undici = {
      connections: this.options.connectionsPerUpstream,
      pipelining: 1,
      connect: { timeout: this.options.connectTimeoutMs },
      headersTimeout: this.options.responseTimeoutMs,
      bodyTimeout: this.options.responseTimeoutMs,
    } satisfies FastifyReplyFromOptions['undici'];
    await fastify.register(replyFrom, {
      undici,
      disableRequestLogging: true,
      // Close the pools with the server, so a graceful shutdown leaves no sockets behind.
      destroyAgent: true,
    });
  }

  forward(request: FastifyRequest, reply: FastifyReply, plan: ForwardPlan): FastifyReply {
    const base = this.options.urls[plan.upstream].replace(/\/+$/, '');
    const context = currentRequestContext();
    const requestId = context?.requestId ?? String(reply.getHeader('x-request-id'));
    // The call to the service is a span of its own; the service continues the trace from it.
    const span = startSpan(`${request.method} ${plan.upstream}`, {
      kind: SpanKind.CLIENT,
      parent: context?.span,
      attributes: tracingExported()
        ? { 'http.request.method': request.method, 'server.address': plan.upstream, 'url.path': plan.path }
        : undefined,
    });
    reply.raw.once('close', () => {
      span.setAttribute('http.response.status_code', reply.statusCode);
      endSpan(span, reply.statusCode >= 500 ? `HTTP ${reply.statusCode}` : undefined);
    });
    const traceparent = traceparentOf(span);
    return reply.from(`${base}${plan.path}`, {
      queryString: () => plan.query,
      rewriteRequestHeaders: (_request, headers) => ({
        ...upstreamHeaders(headers, {
          identity: plan.identity,
          internalAuthSecret: this.options.internalAuthSecret,
          requestId,
          forwardedFor: plan.forwardedFor,
          protocol: request.protocol,
          host: request.headers.host,
        }),
        ...(traceparent ? { traceparent } : {}),
      }),
      rewriteHeaders: (headers) => downstreamHeaders(headers),
      retryDelay: retryStaleRead,
      // reply-from hands back the same reply object; the typed outer one is used instead.
      onError: (_sameReply, { error }) => this.answerFailure(request, reply, plan, error),
    });
  }

  private answerFailure(request: FastifyRequest, reply: FastifyReply, plan: ForwardPlan, error: Error): void {
    if (!request.raw.complete) {
      // Part of the client's body may still be unread on the socket; a reused connection would
      // start its next request in the middle of it. Close it after this answer instead.
      void reply.header('connection', 'close');
    }
    if (request.body instanceof BodyLimiter && request.body.exceeded) {
      sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than the gateway accepts');
      return;
    }
    const failure = classifyUpstreamFailure(error, plan.upstream);
    this.logger.warn({
      msg: 'upstream request failed',
      upstream: plan.upstream,
      path: plan.path,
      statusCode: failure.status,
      codes: errorCodes(error),
    });
    sendError(
      reply,
      failure.status,
      failure.error,
      failure.message,
      failure.retryAfterS === undefined ? {} : { 'retry-after': String(failure.retryAfterS) },
    );
  }
}

import replyFrom, { type FastifyReplyFromOptions, type RetryDetails } from '@fastify/reply-from';
import { Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EDGE_HOLD_HEADER } from '@storage/contracts';
import {
  currentRequestContext,
  endSpan,
  SpanKind,
  startSpan,
  traceparentOf,
  tracingExported,
} from '@storage/observability';
import type { ErrorBody } from '@storage/service-kit';
import type { ApiForwarder, ForwardPlan } from '../../../application/ports/api-forwarder.port';
import { HeldRefusals } from '../../../application/held-refusals';
import { downstreamHeaders, upstreamHeaders } from '../../../application/upstream-request';
import type { UpstreamName } from '../../../application/upstream-routes';
import { sendError, sendErrorBody } from '../../error-reply';
import { BodyLimiter } from '../../body-limit';
import { classifyUpstreamFailure, errorCodes } from './upstream-failure';
import { heldRefusalAnswers } from './proxy.metrics';

export interface UpstreamForwarderOptions {
  readonly urls: Readonly<Record<UpstreamName, string>>;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly connectionsPerUpstream: number;
  readonly internalAuthSecret?: string;
  /** The longest a service's refusal is answered here for it (see HeldRefusals); 0: never. */
  readonly maxEdgeHoldMs: number;
}

/** Stale keep-alive sockets (closed by the service between two requests) surface as these. */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/**
 * reply-from's default retries GETs on a 503 up to ten times, which would turn a service's "try
 * again shortly" (circuit open, draining) into a long hang at the gateway. The only retry kept is
 * one immediate retry of a repeatable request (ForwardPlan.repeatable) whose connection broke
 * before any answer: the keep-alive race of a service closing a pooled connection (stopping,
 * restarting) as a request goes out on it, which clients would otherwise see as a 502. A body
 * still streaming from the client cannot be sent twice; a repeatable one is read first (forward).
 */
function retryStaleConnection(details: RetryDetails): number | null {
  // reply-from's typings name Fastify types here, but at run time `req` is the outgoing request
  // description and `res` the upstream response (absent when the request itself failed).
  const outgoing = details.req as unknown as { body?: unknown };
  const response = details.res as unknown;
  if (response || details.attempt > 0 || outgoing.body instanceof Readable) {
    return null;
  }
  return errorCodes(details.err).some((code) => STALE_CONNECTION.has(code)) ? 10 : null;
}

const NEVER_RETRY = (): null => null;

/** The whole of a (small) stream, by its events: cheaper than stream/consumers' async iteration. */
function readWhole(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The client's side of the exchange is over: its connection closed, or ended by us after Node
 * refused the rest of its request (a malformed chunk: answered 400 before any route saw it).
 */
function clientGone(request: FastifyRequest): boolean {
  // Not `request.raw.destroyed`: a request whose body was read whole is destroyed as well.
  const { socket } = request.raw;
  return socket.destroyed || socket.writableEnded;
}

/** The service's answer as reply-from hands it over (undici's response, not a ServerResponse). */
interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly stream: Readable;
}

/** A held refusal's body is an error body of a few hundred bytes; anything else is not kept. */
const MAX_HELD_BODY_BYTES = 16 * 1024;

function heldErrorBody(bytes: Buffer): ErrorBody | undefined {
  if (bytes.length > MAX_HELD_BODY_BYTES) {
    return undefined;
  }
  try {
    const body = JSON.parse(bytes.toString('utf8')) as Partial<ErrorBody> | null;
    if (body?.statusCode === 503 && typeof body.error === 'string' && typeof body.message === 'string') {
      return { statusCode: 503, error: body.error, message: body.message, details: body.details };
    }
  } catch {
    // Not JSON: passed on as it came, not held.
  }
  return undefined;
}

/**
 * Streams requests to the services and their answers back, over keep-alive connection pools
 * (undici, one pool per service origin). Bodies are never buffered (except a service's refusal
 * that holds for everyone, an error body of a few hundred bytes kept to be repeated); time limits
 * are bounded by the connect timeout (service down) and the response timeout (service slow).
 */
export class UpstreamForwarder implements ApiForwarder {
  private readonly logger = new Logger(UpstreamForwarder.name);
  /** Refusals the services said hold for everyone a while (EDGE_HOLD_HEADER), answered here. */
  private readonly held: HeldRefusals<ErrorBody>;

  constructor(private readonly options: UpstreamForwarderOptions) {
    this.held = new HeldRefusals(options.maxEdgeHoldMs);
  }

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
    const operation = `${request.method} ${plan.upstream}${plan.path}`;
    // A request with an Idempotency-Key may be a replay the service answers from its records.
    if (request.headers['idempotency-key'] === undefined) {
      const held = this.held.refusal(operation, Date.now());
      if (held) {
        heldRefusalAnswers.inc({ upstream: plan.upstream });
        return sendErrorBody(
          reply,
          held.body,
          held.retryAfterS === undefined ? {} : { 'retry-after': String(held.retryAfterS) },
        );
      }
    }
    const contentType = request.headers['content-type'];
    if (plan.repeatable && request.body instanceof Readable && contentType !== undefined) {
      // Read whole before it is sent, so that it can be sent again (retryStaleConnection). Only
      // keyed writes (isRepeatable) carry a body here: small, and their service reads them whole.
      // (A body without a content type goes as it came: the service refuses it unread.)
      void readWhole(request.body)
        .then((bytes) => this.send(request, reply, plan, operation, { bytes, contentType }))
        // An upload cut short or over the limit; answered as when streamed.
        .catch((error: unknown) => this.answerFailure(request, reply, plan, asError(error)));
      return reply;
    }
    return this.send(request, reply, plan, operation);
  }

  /** The call to the service; `body` when it was read whole, otherwise the request's own stream. */
  private send(
    request: FastifyRequest,
    reply: FastifyReply,
    plan: ForwardPlan,
    operation: string,
    body?: { readonly bytes: Buffer; readonly contentType: string },
  ): FastifyReply {
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
      // Sent as read, under the client's content type (reply-from would re-encode it otherwise).
      ...(body ? { body: body.bytes, contentType: body.contentType } : {}),
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
      retryDelay: plan.repeatable ? retryStaleConnection : NEVER_RETRY,
      onResponse: (_sameRequest, _sameReply, response) =>
        this.relay(request, reply, plan, operation, response as unknown as UpstreamResponse),
      // reply-from hands back the same reply object; the typed outer one is used instead.
      onError: (_sameReply, { error }) => this.answerFailure(request, reply, plan, error),
    });
  }

  /**
   * Streams the service's answer to the client. A 503 that says it holds for everyone
   * (EDGE_HOLD_HEADER) is read whole instead, kept for the requests of the next few ms, and sent.
   */
  private relay(
    request: FastifyRequest,
    reply: FastifyReply,
    plan: ForwardPlan,
    operation: string,
    response: UpstreamResponse,
  ): void {
    const holdMs = Number(response.headers[EDGE_HOLD_HEADER]);
    if (response.statusCode !== 503 || !(holdMs > 0)) {
      void reply.send(response.stream);
      return;
    }
    readWhole(response.stream).then(
      (bytes) => {
        const body = heldErrorBody(bytes);
        if (body) {
          const retryAfterS = Number(response.headers['retry-after']);
          this.held.hold(
            operation,
            holdMs,
            { body, retryAfterS: Number.isInteger(retryAfterS) && retryAfterS > 0 ? retryAfterS : undefined },
            Date.now(),
          );
        }
        void reply.send(bytes);
      },
      (error: Error) => {
        // The service's own length does not describe the edge's answer.
        void reply.removeHeader('content-length');
        this.answerFailure(request, reply, plan, error);
      },
    );
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
    if (clientGone(request)) {
      // The client dropped its request (an upload cut short, a body Node refused with a 400, a
      // connection closed while waiting), and that aborted the call: not the service's failure,
      // and the answer below reaches nobody. A warning would send an operator after the service.
      this.logger.debug({
        msg: 'client went away before the service answered',
        upstream: plan.upstream,
        path: plan.path,
      });
    } else {
      this.logger.warn({
        msg: 'upstream request failed',
        upstream: plan.upstream,
        path: plan.path,
        statusCode: failure.status,
        codes: errorCodes(error),
      });
    }
    sendError(
      reply,
      failure.status,
      failure.error,
      failure.message,
      failure.retryAfterS === undefined ? {} : { 'retry-after': String(failure.retryAfterS) },
    );
  }
}

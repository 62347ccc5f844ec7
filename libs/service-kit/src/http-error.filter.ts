import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EDGE_HOLD_HEADER } from '@storage/contracts';
import { DomainError } from '@storage/ddd';
import type { FailureKind } from '@storage/messaging';
import { currentRequestContext } from '@storage/observability';
import { unsupportedMediaTypeMessage } from './json-body.parser';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

/**
 * The methods a path is served with, for the 405 answer's `Allow` (empty: no route at that path).
 * The default asks the service's own router; the gateway, whose API routes are a catch-all, names
 * what each resource offers instead.
 */
export type AllowedMethods = (path: string, request: FastifyRequest) => readonly string[];

/** The methods a route can be asked for, in the order `Allow` lists them. OPTIONS is left out: the
 * CORS plugin answers it for every path when enabled, which says nothing about the path. */
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'QUERY'] as const;

export const routedMethods: AllowedMethods = (path, request) =>
  ROUTABLE_METHODS.filter((method) => request.server.findRoute({ method, url: path }) !== null);

function isHealthReport(response: unknown): boolean {
  return typeof response === 'object' && response !== null && 'status' in response && 'details' in response;
}

/**
 * The one place where failures become HTTP answers: domain errors with the status they carry,
 * framework errors as they are, and anything unexpected as a logged 500 that never leaks internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  /**
   * @param documentsPrefix where the static API documents are served (Swagger UI's assets). Those
   *   are public, so a 403 there is never about the caller: it is the static file plugin refusing a
   *   path it will not resolve (a name too long for the file system, "//", "..") and Nest passes it
   *   on as a bare 403. Nothing is served at such a path: 404.
   * @param classifyFailure what an error that is neither a domain nor an HTTP error means; a data
   *   service hands in its consumers' rule (an outage or a conflict answers 503). Without one (the
   *   gateway, which has no database) every such error is a 500.
   */
  constructor(
    private readonly documentsPrefix?: string,
    private readonly allowedMethods: AllowedMethods = routedMethods,
    private readonly classifyFailure: (error: unknown) => FailureKind | Promise<FailureKind> = () =>
      'unknown',
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Probes and operators need terminus' per-dependency report as it is, not a summary.
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const body =
      this.refusedDocumentPath(exception, host) ??
      this.missingRoute(exception, host) ??
      this.toBody(exception);
    if (body) {
      this.answer(exception, host, body);
      return;
    }
    // Neither a domain, an HTTP nor a framework error: what it means may take a probe of the
    // database, so the answer goes out once that is known (Nest leaves the reply to the filter).
    void Promise.resolve()
      .then(() => this.classifyFailure(exception))
      .catch((): FailureKind => 'unknown')
      .then((kind) => this.answer(exception, host, failureBody(kind)))
      .catch((error: unknown) => {
        // Off Nest's call stack nothing else would catch this: a rejection here would end the
        // process, and the caller would wait for an answer that never comes.
        this.logger.error({ msg: 'Answering a failure failed', err: String(error) });
        if (!reply.sent) {
          void reply.status(500).send(failureBody('unknown'));
        }
      });
  }

  private answer(exception: unknown, host: ArgumentsHost, body: ErrorBody): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (body.error === 'UNSUPPORTED_MEDIA_TYPE') {
      // Fastify's own refusal of a Content-Type it cannot even parse ("garbage", "a/b/c") arrives
      // as a bare "Unsupported Media Type"; valid but other types get the same words from the
      // body parser.
      body.message = unsupportedMediaTypeMessage(
        host.switchToHttp().getRequest<FastifyRequest>().headers['content-type'],
      );
    }
    body.requestId = currentRequestContext()?.requestId;
    if (body.error === 'INTERNAL_ERROR') {
      this.logger.error({
        msg: 'Request failed',
        err: exception instanceof Error ? exception.stack : String(exception),
      });
    } else if (body.statusCode >= 500) {
      const line = { msg: 'Answered with a server-side error', error: body.error, detail: body.message };
      if (exception instanceof DomainError) {
        // The domain's own "busy, try again shortly" (a circuit open, a full bulkhead): under
        // overload there is one per refused request, and writing a line each was 4 % of booking's
        // CPU in the bench's circuit-breaker scenario, when CPU is what is short. They are counted
        // in http_server_request_duration_seconds by status and in the resilience metrics.
        this.logger.debug(line);
      } else {
        // Something of ours that did not work (the database unreachable): worth a line each.
        this.logger.warn(line);
      }
    }
    const retryAfter =
      (exception as { retryAfterSeconds?: number }).retryAfterSeconds ??
      (body.error === 'SERVICE_TEMPORARILY_UNAVAILABLE' ? 1 : undefined);
    if (retryAfter !== undefined) {
      void reply.header('Retry-After', String(retryAfter));
    }
    const edgeHoldMs = (exception as { refusesEveryoneForMs?: number }).refusesEveryoneForMs;
    if (body.statusCode === 503 && edgeHoldMs !== undefined) {
      void reply.header(EDGE_HOLD_HEADER, String(edgeHoldMs));
    }
    void reply.status(body.statusCode).send(body);
  }

  private refusedDocumentPath(exception: unknown, host: ArgumentsHost): ErrorBody | undefined {
    if (
      this.documentsPrefix === undefined ||
      !(exception instanceof HttpException) ||
      exception.getStatus() !== 403 ||
      !host.switchToHttp().getRequest<FastifyRequest>().url.startsWith(this.documentsPrefix)
    ) {
      return undefined;
    }
    return {
      statusCode: 404,
      error: 'NOT_FOUND',
      message: `No document at this path under ${this.documentsPrefix}`,
    };
  }

  /**
   * Nest's answer to a path no route matches says "Cannot GET /path?query": through the gateway
   * that query holds what the gateway added (the caller's own customer id), which the caller never
   * sent. The route is named without its query. A path that is served, but not with this method,
   * is a 405 listing the methods it is served with (`Allow`), not a "no route".
   */
  private missingRoute(exception: unknown, host: ArgumentsHost): ErrorBody | undefined {
    if (!(exception instanceof NotFoundException)) {
      return undefined;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const { method, url } = request;
    if (exception.message !== `Cannot ${method} ${url}`) {
      return undefined;
    }
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const allowed = this.allowedMethods(path, request);
    // A route that holds this method too (a wildcard whose handler found nothing, as the static
    // documents' does) is a path with nothing at it: 404.
    if (allowed.length > 0 && !allowed.includes(method)) {
      void host.switchToHttp().getResponse<FastifyReply>().header('allow', allowed.join(', '));
      return {
        statusCode: 405,
        error: 'METHOD_NOT_ALLOWED',
        message: `${method} is not served at ${path}; it is served with ${allowed.join(', ')}`,
      };
    }
    return { statusCode: 404, error: 'NOT_FOUND', message: `No route for ${method} ${path}` };
  }

  /** The answer to a domain, HTTP or framework error; undefined for anything else. */
  private toBody(exception: unknown): ErrorBody | undefined {
    if (exception instanceof DomainError) {
      return {
        statusCode: exception.status,
        error: exception.code,
        message: exception.message,
        details: Object.keys(exception.details).length > 0 ? exception.details : undefined,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null) {
        const { error, message, details } = response as Partial<ErrorBody> & { message?: unknown };
        return {
          statusCode: status,
          error: typeof error === 'string' ? error.toUpperCase().replace(/\s+/g, '_') : HttpStatus[status],
          message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
          details,
        };
      }
      return { statusCode: status, error: HttpStatus[status] ?? 'ERROR', message: String(response) };
    }
    const fastifyStatus = (exception as { statusCode?: number }).statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        statusCode: fastifyStatus,
        error: (exception as { code?: string }).code ?? HttpStatus[fastifyStatus] ?? 'BAD_REQUEST',
        message: (exception as Error).message,
      };
    }
    return undefined;
  }
}

/**
 * The same classification the consumers use: an outage or a conflict with concurrent work is
 * worth retrying (503 + Retry-After), not a server bug (500).
 */
function failureBody(kind: FailureKind): ErrorBody {
  if (kind === 'database-unavailable' || kind === 'transient') {
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'SERVICE_TEMPORARILY_UNAVAILABLE',
      message:
        kind === 'database-unavailable'
          ? 'The service cannot reach its database right now; retry shortly'
          : 'The request conflicted with concurrent work; retry shortly',
    };
  }
  return { statusCode: 500, error: 'INTERNAL_ERROR', message: 'Unexpected error; it has been logged' };
}

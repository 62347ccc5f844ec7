import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigValidationError, loadConfig, type BaseServiceConfig } from '@storage/config';
import { ShutdownState } from '@storage/health';
import type { FailureKind, KafkaEventServer } from '@storage/messaging';
import {
  createRootLogger,
  currentRequestContext,
  endSpan,
  shutdownTracing,
  SpanKind,
  startProcessMetrics,
  startSpan,
  startTracing,
  tracingExported,
  type Span,
  JsonLogger,
  mapOwnStackTraces,
  runWithRequestContext,
  type Logger,
} from '@storage/observability';
import { type AllowedMethods, HttpErrorFilter, routedMethods } from './http-error.filter';
import { closeConnectionsWhenDue } from './connection-draining';
import { answerRouterError } from './router-errors';
import { installIdentityCheck, installInternalAuth } from './internal-auth';
import { observeHttpRequest } from './http-server.metrics';
import { METRICS_PATH, serveMetricsPort, serveMetricsRoute } from './metrics-endpoint';
import {
  answerClientError,
  answerConnect,
  answerUnmetExpectation,
  refuseUnreadableHeaders,
} from './client-errors';
import { installJsonBodyParser } from './json-body.parser';
import { addStandardResponses, serviceStandardResponses, type StandardResponse } from './openapi-responses';
import { createValidationPipe } from './validation.pipe';
import { logProcessWarnings } from './process-warnings';

export interface ServiceDefinition<C extends BaseServiceConfig> {
  name: string;
  title: string;
  description: string;
  config: C;
  module: DynamicModule;
  /**
   * A data service's consumer and the topics it publishes or consumes (runDataService in
   * @storage/data-service): `ensureTopics` creates them when missing, retried until the broker
   * answers, before the consumer joins. Handed in, not imported, so the gateway loads no broker
   * client.
   */
  kafka?: { server: KafkaEventServer; topics: readonly string[]; ensureTopics: () => Promise<void> };
  /**
   * What a failure that is neither a domain nor an HTTP error means (a data service hands in its
   * consumers' rule, which probes the database about failures no rule knows): an unreachable
   * database or a conflict with concurrent work answers 503 + Retry-After instead of 500.
   */
  classifyFailure?: (error: unknown) => FailureKind | Promise<FailureKind>;
  bodyLimitBytes?: number;
  /**
   * Require INTERNAL_AUTH_SECRET on incoming requests (when configured). Off only for the edge:
   * the gateway is called by clients and authenticates them with JWTs instead.
   */
  internalAuth?: boolean;
  /**
   * The methods a path is served with, for a 405's `Allow` (default: what the service's router
   * holds). The gateway's API routes are a catch-all; it names what each resource offers.
   */
  allowedMethods?: AllowedMethods;
  /** Extra HTTP wiring before listen (e.g. the gateway's proxy routes). */
  configure?: (app: NestFastifyApplication, logger: Logger) => Promise<void> | void;
}

/** Loads the service's config or stops the process with a message naming each bad variable. */
export function loadConfigOrExit<C extends object>(schema: new () => C, service: string): C {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', service, msg: error.message, problems: error.problems })}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
}

async function withRetries<T>(
  what: string,
  logger: Logger,
  fn: () => Promise<T>,
  deadlineMs = 60_000,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() - started > deadlineMs) {
        throw error;
      }
      logger.warn({ attempt, err: String(error) }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
    }
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Requests between their onRequest and onResponse hooks. Fastify's close can resolve before the
 * onResponse hook of the last answered request has run; "stopped" waits for it, so the shutdown
 * line really is the last one.
 */
class InFlightRequests {
  // By identity, not a count: an aborted request can see both onRequestAbort and onResponse, and a
  // count decremented twice would let "stopped" be written while another request is in flight.
  private readonly requests = new Set<object>();
  private idle?: () => void;

  started(request: object): void {
    this.requests.add(request);
  }

  finished(request: object): void {
    if (this.requests.delete(request) && this.requests.size === 0) {
      this.idle?.();
    }
  }

  /** Resolves with how many are still in flight: none, or those left when `deadlineMs` passed. */
  settled(deadlineMs: number): Promise<number> {
    if (this.requests.size === 0) {
      return Promise.resolve(0);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.requests.size), Math.max(0, deadlineMs));
      this.idle = () => {
        clearTimeout(timer);
        resolve(0);
      };
    });
  }
}

/** Probes and scrapes come every few seconds: no log line, no span for each. */
function isHousekeeping(url: string): boolean {
  return url.startsWith('/health') || url === METRICS_PATH;
}

function installRequestContext(
  app: NestFastifyApplication,
  logger: Logger,
  inFlight: InFlightRequests,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  // The hooks after the handler may run outside the request's async context: keep the span here.
  const spans = new WeakMap<FastifyRequest, Span>();
  const endRequestSpan = (request: FastifyRequest, statusCode: number | undefined) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      if (statusCode !== undefined) {
        span.setAttribute('http.response.status_code', statusCode);
      }
      endSpan(
        span,
        statusCode === undefined ? 'request aborted' : statusCode >= 500 ? `HTTP ${statusCode}` : undefined,
      );
    }
  };
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    inFlight.started(request);
    const header = request.headers['x-request-id'];
    const given = Array.isArray(header) ? header[0] : header;
    // A client's id is kept only when it is a plausible id: it lands in every log line.
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    void reply.header('x-request-id', requestId);
    if (isHousekeeping(request.url)) {
      runWithRequestContext({ requestId }, done);
      return;
    }
    // The caller's traceparent (the gateway's, a sibling's) makes this a hop of its trace; the
    // gateway starts one when a client sends none.
    const traceparent = request.headers.traceparent;
    const route = request.routeOptions.url ?? 'unmatched';
    const span = startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: typeof traceparent === 'string' ? traceparent : undefined,
      attributes: tracingExported()
        ? {
            'http.request.method': request.method,
            'http.route': route,
            'url.path': request.url.split('?')[0],
          }
        : undefined,
    });
    spans.set(request, span);
    runWithRequestContext({ requestId, span }, done);
  });
  fastify.addHook('onRequestAbort', (request: FastifyRequest, done: () => void) => {
    inFlight.finished(request);
    endRequestSpan(request, undefined);
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    observeHttpRequest(request, reply);
    endRequestSpan(request, reply.statusCode);
    if (!isHousekeeping(request.url)) {
      logger.info(
        {
          requestId: currentRequestContext()?.requestId ?? reply.getHeader('x-request-id'),
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    // Last: its log line is written before "stopped" can be.
    inFlight.finished(request);
    done();
  });
}

/** Swagger UI's page and assets. */
const DOCS_PATH = 'docs';

function installSwagger(
  app: INestApplication,
  title: string,
  description: string,
  standardResponses: readonly StandardResponse[],
): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(title)
      .setDescription(description)
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  addStandardResponses(document, standardResponses);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * What exiting itself may take after the requests: flushing spans (2 s at most), and a margin.
 * Log lines need none: the root logger writes synchronously (see createRootLogger).
 */
const EXIT_RESERVE_MS = 3000;

function installShutdown(
  app: INestApplication,
  logger: Logger,
  timeoutMs: number,
  inFlight: InFlightRequests,
): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      return;
    }
    closing = true;
    const deadline = Date.now() + timeoutMs;
    logger.info({ signal }, 'shutting down: draining requests and messages');
    app.get(ShutdownState).startDraining();
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app
      .close()
      // The server can be closed while a request still waits on its upstream (the gateway's on a
      // slow service): it is answered within the shutdown budget, less what exiting takes.
      .then(() => inFlight.settled(deadline - EXIT_RESERVE_MS - Date.now()))
      .then((unanswered) => {
        if (unanswered > 0) {
          logger.warn({ unanswered }, 'requests still unanswered at the shutdown deadline');
        }
      })
      // The last requests' spans go out before the process does.
      .then(() => shutdownTracing())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: String(error) }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/**
 * Boots one service the same way everywhere: JSON logs, request ids, validation, error mapping,
 * Swagger at /docs (spec at /docs-json), topics, the Kafka consumer, then HTTP, and a graceful
 * shutdown that drains HTTP and in-flight messages before closing the database.
 */
export async function runService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
): Promise<NestFastifyApplication> {
  const { config } = definition;
  // The build's root (dist/, three levels above this file's dist/libs/service-kit/src/).
  mapOwnStackTraces(resolve(__dirname, '..', '..', '..'));
  const logger = createRootLogger(definition.name, config.LOG_LEVEL);
  startProcessMetrics(definition.name);
  startTracing(definition.name);
  // Node's default is to crash on an unhandled rejection; keep it (a service stuck half started
  // must not look alive), but say why in the same JSON format as everything else.
  process.on('unhandledRejection', (reason) => {
    logger.fatal(
      { err: reason instanceof Error ? reason.stack : String(reason) },
      'unhandled rejection; exiting',
    );
    process.exit(1);
  });

  logProcessWarnings(logger);

  const { kafka } = definition;
  if (kafka) {
    await withRetries('creating Kafka topics', logger, kafka.ensureTopics);
  }

  const headersTimeoutMs = Math.min(config.HTTP_REQUEST_TIMEOUT_MS, 20_000);
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module,
    new FastifyAdapter({
      bodyLimit: definition.bodyLimitBytes ?? 1024 * 1024,
      // The router's own refusals (a malformed escape in the path, a path parameter longer than
      // any id) in the one error shape, instead of Fastify's.
      frameworkErrors: answerRouterError,
      // Requests Node's parser refuses (malformed, headers too large, not sent in time): the one
      // error shape, naming the problem, and a connection that says it ends.
      clientErrorHandler: answerClientError({
        headersTimeoutMs,
        requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      }),
      // Forwarded headers are believed only from the configured hops, never from any client.
      trustProxy: config.TRUSTED_PROXY_HOPS > 0 ? config.TRUSTED_PROXY_HOPS : false,
      // Fastify's default is no limit at all: a client trickling its body would hold a
      // connection (and, at the gateway, a pooled upstream connection) for as long as it likes.
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      http: {
        headersTimeout: headersTimeoutMs,
        // Node checks the timeouts above only this often (default 30 s).
        connectionsCheckingInterval: Math.min(1000, config.HTTP_REQUEST_TIMEOUT_MS / 2),
        // Refused with a named answer by refuseUnreadableHeaders instead of Node's bare 400.
        requireHostHeader: false,
      },
    }),
    { logger: new JsonLogger(logger), abortOnError: false },
  );
  const inFlight = new InFlightRequests();
  installRequestContext(app, logger, inFlight);
  installJsonBodyParser(app, definition.bodyLimitBytes ?? 1024 * 1024);
  const fastify = app.getHttpAdapter().getInstance();
  refuseUnreadableHeaders(fastify);
  fastify.server.on('checkExpectation', answerUnmetExpectation);
  fastify.server.on('connect', answerConnect);
  if (definition.internalAuth !== false) {
    installInternalAuth(fastify, config.INTERNAL_AUTH_SECRET);
    installIdentityCheck(fastify);
  }
  closeConnectionsWhenDue(fastify, app.get(ShutdownState));
  if (config.METRICS_PORT === undefined) {
    serveMetricsRoute(fastify);
  } else {
    const metricsServer = await serveMetricsPort(config.METRICS_PORT, config.HOST, logger);
    fastify.addHook('onClose', (_instance, done) => {
      metricsServer.close(() => done());
      // A scraper's keep-alive connection would hold close() open.
      metricsServer.closeAllConnections();
    });
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(
    new HttpErrorFilter(
      `/${DOCS_PATH}/`,
      definition.allowedMethods ?? routedMethods,
      definition.classifyFailure,
    ),
  );
  installSwagger(
    app,
    definition.title,
    definition.description,
    serviceStandardResponses({
      internalAuth: definition.internalAuth !== false,
      database: definition.kafka !== undefined,
    }),
  );
  await definition.configure?.(app, logger);

  if (kafka) {
    kafka.server.reportLagOf(kafka.topics);
    app.connectMicroservice({ strategy: kafka.server });
    await app.startAllMicroservices();
  }
  await app.listen(config.PORT, config.HOST);
  installShutdown(app, logger, config.SHUTDOWN_TIMEOUT_MS, inFlight);
  logger.info({ port: config.PORT, docs: `/docs` }, `${definition.name} listening`);
  return app;
}

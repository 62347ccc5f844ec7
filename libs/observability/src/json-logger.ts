import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentRequestContext } from './request-context';

/**
 * One JSON line per event on stdout, with the service name and the current request, correlation
 * and trace ids mixed in, so a booking can be followed across services with a single grep.
 */
export function createRootLogger(service: string, level: string): Logger {
  // Written synchronously: a line is on stdout when the call returns, so the output is in the
  // order the lines were logged and nothing is lost when the process exits. pino's default
  // asynchronous stream lost a service's last lines at exit (its flush() does not wait for a
  // write in progress) and let a line logged just before "stopped" come out after it.
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const context = currentRequestContext();
        if (!context) {
          return {};
        }
        // The trace id joins a log line to its trace; the span id to the hop that wrote it.
        const span = context.span?.spanContext();
        return {
          requestId: context.requestId,
          ...(context.correlationId ? { correlationId: context.correlationId } : {}),
          ...(span ? { traceId: span.traceId, spanId: span.spanId } : {}),
        };
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

function splitContext(params: unknown[]): { context?: string; extra: unknown[] } {
  const last = params.at(-1);
  if (typeof last === 'string') {
    return { context: last, extra: params.slice(0, -1) };
  }
  return { extra: params };
}

/** Adapts pino to Nest's LoggerService so framework and application logs share one format. */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ) {
    const { context, extra: given } = splitContext(params);
    // Nest's Logger fills an error()'s missing stack with undefined before the context: without
    // this filter every error line of a named logger carried "details":[null].
    const extra = given.filter((param) => param !== undefined);
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
      return;
    }
    // Nest passes an error's stack as the first extra parameter of error().
    if (level === 'error' && typeof extra[0] === 'string' && extra[0].includes('\n')) {
      fields.stack = extra[0];
    } else if (extra.length > 0) {
      fields.details = extra;
    }
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
      return;
    }
    this.logger[level](fields, String(message));
  }
}

import { randomBytes } from 'node:crypto';
import {
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Sampler, TracerProvider } from '@opentelemetry/sdk-trace';

export { SpanKind, type Span } from '@opentelemetry/api';

const propagator = new W3CTraceContextPropagator();

let started = false;
let provider: TracerProvider | undefined;
let tracer: Tracer | undefined;
let exporting = false;

/**
 * The SDK and the exporter are loaded only where spans are exported: without an endpoint a service
 * carries the API and the propagator alone (a few MB of memory less per process).
 */
type Sdk = typeof import('@opentelemetry/sdk-trace');

/** OTEL_TRACES_SAMPLER as the OpenTelemetry spec names them; parent-based always-on by default. */
function samplerFromEnv(env: NodeJS.ProcessEnv, sdk: Sdk): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const root = new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1);
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return root;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** The OTEL_BSP_* variables of the spec (the SDK's own defaults when unset or invalid). */
function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** Spans are exported only where an OTLP endpoint is configured (the standard variables). */
function exportEndpointConfigured(env: NodeJS.ProcessEnv): boolean {
  return (
    env.OTEL_SDK_DISABLED !== 'true' &&
    env.OTEL_TRACES_EXPORTER !== 'none' &&
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)
  );
}

/**
 * Tracing for the process. With OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) set, spans
 * are batched and exported over OTLP/HTTP; without, every span is a non-recording one: ids are
 * still made and propagated with the caller's sampling decision (logs carry the trace id, the next
 * hop continues the trace), nothing is recorded or sent: a random span id per hop.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): void {
  if (started) {
    return;
  }
  started = true;
  exporting = exportEndpointConfigured(env);
  if (!exporting) {
    return;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sdk = require('@opentelemetry/sdk-trace') as Sdk;
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? service }),
    sampler: samplerFromEnv(env, sdk),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY),
        maxQueueSize: positive(env.OTEL_BSP_MAX_QUEUE_SIZE),
        maxExportBatchSize: positive(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
      }),
    ],
  });
  tracer = provider.getTracer('storage-rental');
}

/** True when spans are recorded and exported (then spans worth their attributes are built). */
export function tracingExported(): boolean {
  return exporting;
}

export interface SpanOptions {
  kind: SpanKind;
  /** The parent: a span of this process, or a W3C traceparent received from another. */
  parent?: Span | string;
  attributes?: Attributes;
}

/**
 * Random bytes for ids, drawn 4 kB at a time: every request, call and message starts a span (its
 * id travels in traceparent even when nothing is exported), and a randomBytes call per id cost
 * 1.3 % of booking's CPU under load.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

/** W3C ids: 16 and 8 random bytes, in hex, never all zero. */
function randomId(bytes: number): string {
  if (randomPoolOffset + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  const id = randomPool.toString('hex', randomPoolOffset, (randomPoolOffset += bytes));
  return /^0+$/.test(id) ? randomId(bytes) : id;
}

export function startSpan(name: string, options: SpanOptions): Span {
  const { parent } = options;
  const context =
    parent === undefined
      ? ROOT_CONTEXT
      : typeof parent === 'string'
        ? propagator.extract(ROOT_CONTEXT, { traceparent: parent }, defaultTextMapGetter)
        : trace.setSpan(ROOT_CONTEXT, parent);
  if (!tracer) {
    // Nothing recorded here, but the trace goes on: the parent's trace id and sampling decision
    // pass to the next hop (which may export), from a span id of this hop.
    const parentContext = trace.getSpanContext(context);
    const valid = parentContext !== undefined && trace.isSpanContextValid(parentContext);
    return trace.wrapSpanContext({
      traceId: valid ? parentContext.traceId : randomId(16),
      spanId: randomId(8),
      traceFlags: valid ? parentContext.traceFlags : 0,
      traceState: valid ? parentContext.traceState : undefined,
    });
  }
  return tracer.startSpan(name, { kind: options.kind, attributes: options.attributes }, context);
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error),
    });
  }
  span.end();
}

/** The W3C traceparent that makes the next hop a child of `span`. */
export function traceparentOf(span: Span): string | undefined {
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) {
    return undefined;
  }
  // The only flag W3C defines is "sampled" (bit 0).
  const sampled = (traceFlags & 1) === 1;
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** Exports what is buffered; on shutdown, so the last requests' spans are not lost. */
export async function shutdownTracing(timeoutMs = 2000): Promise<void> {
  if (!provider || !exporting) {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    provider.shutdown().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

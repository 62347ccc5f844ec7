import { AsyncSlot } from './async-slot';
import { traceparentOf, type Span } from './tracing';

/** What every log line and every outgoing call or event of one request or message carries. */
export interface RequestContext {
  requestId: string;
  correlationId?: string;
  /** The event being handled, when this context is a message's: what the events it raises name as their cause. */
  causationId?: string;
  /** The span of this request or message: the parent of whatever it causes. */
  span?: Span;
}

const requestContext = new AsyncSlot<RequestContext>('request context');

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return requestContext.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return requestContext.get();
}

/** The traceparent that makes the next hop (a call, an event) a child of the current span. */
export function currentTraceparent(): string | undefined {
  const span = requestContext.get()?.span;
  return span ? traceparentOf(span) : undefined;
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and every outgoing event of one request or message carries. */
export interface RequestContext {
  requestId: string;
  correlationId?: string;
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

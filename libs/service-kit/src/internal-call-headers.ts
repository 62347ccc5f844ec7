import { EventHeaders } from '@storage/contracts';
import { currentRequestContext, currentTraceparent } from '@storage/observability';
import { IdentityHeaders } from './caller';

/** Headers of a service-to-service call: the internal secret and the caller's trace ids. */
export function internalCallHeaders(secret: string | undefined): Record<string, string> {
  const context = currentRequestContext();
  const traceparent = currentTraceparent();
  return {
    ...(secret ? { [IdentityHeaders.internalAuth]: secret } : {}),
    ...(context?.requestId ? { [EventHeaders.requestId]: context.requestId } : {}),
    ...(traceparent ? { [EventHeaders.traceparent]: traceparent } : {}),
  };
}

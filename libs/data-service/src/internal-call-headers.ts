import { EventHeaders, IdentityHeaders } from '@storage/contracts';
import { currentRequestContext } from '@storage/observability';

/**
 * Headers of a service-to-service call: the internal secret and the caller's request id. The
 * traceparent is set by ServiceHttpModule's interceptor, from the call's own span.
 */
export function internalCallHeaders(secret: string | undefined): Record<string, string> {
  const context = currentRequestContext();
  return {
    ...(secret ? { [IdentityHeaders.internalAuth]: secret } : {}),
    ...(context?.requestId ? { [EventHeaders.requestId]: context.requestId } : {}),
  };
}

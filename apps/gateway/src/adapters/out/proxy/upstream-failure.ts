export interface UpstreamFailure {
  readonly status: 502 | 503 | 504;
  readonly error: 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'BAD_GATEWAY';
  readonly message: string;
  /** Seconds a client should wait before retrying; set when the service is down, not when it misbehaves. */
  readonly retryAfterS?: number;
}

/** The service is not there: nothing was sent, a retry after a moment is safe and may succeed. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'FST_REPLY_FROM_SERVICE_UNAVAILABLE',
]);

/** The service took the request but did not answer in time: it may or may not have acted on it. */
const TIMED_OUT = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
  'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT',
]);

/** Error codes along the cause chain: the proxy wraps undici's errors, and Node's happy-eyeballs connect reports an AggregateError. */
export function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) {
    return [];
  }
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...errorCodes(cause, depth + 1),
    ...(Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, depth + 1)) : []),
  ];
}

/**
 * What the client is told when a service cannot be reached: 503 (down, retry shortly), 504 (too
 * slow) or 502 (connection broke or the answer was unusable). Always fast and always JSON; the
 * client never waits longer than the configured timeouts.
 */
export function classifyUpstreamFailure(error: unknown, upstream: string): UpstreamFailure {
  const codes = errorCodes(error);
  if (codes.some((code) => UNAVAILABLE.has(code))) {
    return {
      status: 503,
      error: 'UPSTREAM_UNAVAILABLE',
      message: `The ${upstream} service is unavailable; retry shortly`,
      retryAfterS: 2,
    };
  }
  if (codes.some((code) => TIMED_OUT.has(code))) {
    return {
      status: 504,
      error: 'UPSTREAM_TIMEOUT',
      message: `The ${upstream} service did not answer in time`,
    };
  }
  return {
    status: 502,
    error: 'BAD_GATEWAY',
    message: `The ${upstream} service connection failed`,
  };
}

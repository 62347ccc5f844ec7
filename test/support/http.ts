/** A tiny JSON client for the suites: status, headers, parsed body and elapsed time. */
export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  ms: number;
}

export async function http<T = unknown>(
  method: string,
  url: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    rawBody?: string | Uint8Array;
    timeoutMs?: number;
  } = {},
): Promise<HttpResult<T>> {
  const started = Date.now();
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(url, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text, the assertion will show it.
  }
  return { status: response.status, headers: response.headers, body: body as T, ms: Date.now() - started };
}

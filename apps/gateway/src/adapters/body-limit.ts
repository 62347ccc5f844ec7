import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** A request body over the limit: answered 413, the service never sees a partial body as complete. */
export class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';

  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Passes a request body through unchanged while counting it, and fails the stream as soon as it
 * grows past the limit. Needed because the proxy streams bodies instead of parsing them, so
 * Fastify's own body limit never applies; a declared Content-Length over the limit is refused
 * before any byte is read (see `declaredLengthExceeds`), this catches chunked bodies that lie.
 */
export class BodyLimiter extends Transform {
  private received = 0;
  exceeded = false;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limitBytes) {
      this.exceeded = true;
      callback(new BodyTooLargeError(this.limitBytes));
      return;
    }
    callback(null, chunk);
  }
}

export function limitBody(payload: Readable, limitBytes: number): BodyLimiter {
  const limiter = new BodyLimiter(limitBytes);
  // Errors of the client socket (aborted upload) end the limited stream too, so the upstream
  // request is aborted instead of waiting for bytes that never come.
  payload.on('error', (error) => limiter.destroy(error));
  // Always listened to: while the request still waits for a pooled connection nobody reads the
  // body yet, and an unhandled 'error' (a client dropping its upload) would crash the gateway.
  // The stream is destroyed either way, which is what aborts the upstream request.
  limiter.on('error', () => undefined);
  return payload.pipe(limiter);
}

export function declaredLengthExceeds(contentLength: string | undefined, limitBytes: number): boolean {
  if (contentLength === undefined) return false;
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > limitBytes;
}

import type { IncomingMessage } from 'node:http';
import { clientErrorBody, headerProblem } from './client-errors';

const parseError = (code: string, reason: string) =>
  Object.assign(new Error(`Parse Error: ${reason}`), { code, reason });

const deadlines = { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000 };

describe('clientErrorBody', () => {
  it('names what the parser found wrong, in the one error shape', () => {
    const body = clientErrorBody(
      parseError('HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length"),
      deadlines,
    );
    expect(body).toEqual({
      statusCode: 400,
      error: 'MALFORMED_REQUEST',
      message: "Not a valid HTTP/1.1 request: Transfer-Encoding can't be present with Content-Length",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
  });

  it('answers oversized headers with 431 and a request not sent in time with 408', () => {
    expect(clientErrorBody(parseError('HPE_HEADER_OVERFLOW', 'Header overflow'), deadlines)).toMatchObject({
      statusCode: 431,
      error: 'HEADERS_TOO_LARGE',
    });
    const timeout = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    expect(clientErrorBody(timeout, { headersTimeoutMs: 12_000, requestTimeoutMs: 30_000 })).toMatchObject({
      statusCode: 408,
      error: 'REQUEST_TIMEOUT',
      message:
        'The request was not received in time (headers are due within 12000 ms, the whole request within 30000 ms)',
    });
  });

  it('tells an HTTP/2 client without negotiation to use HTTP/1.1, and never answers 5xx', () => {
    expect(
      clientErrorBody(parseError('HPE_PAUSED_H2_UPGRADE', 'Pause on PRI/Upgrade'), deadlines).message,
    ).toContain('use HTTP/1.1');
    expect(clientErrorBody(new Error('something else'), deadlines).statusCode).toBe(400);
  });
});

describe('headerProblem', () => {
  /** A request as Node hands it over: raw header lines, and `headers` folded from them. */
  const request = (version: string, rawHeaders: string[]) => {
    const [major, minor] = version.split('.').map(Number);
    const headers: Record<string, string> = {};
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index].toLowerCase();
      headers[name] = name in headers ? `${headers[name]}, ${rawHeaders[index + 1]}` : rawHeaders[index + 1];
    }
    return {
      httpVersionMajor: major,
      httpVersionMinor: minor,
      rawHeaders,
      headers,
    } as unknown as IncomingMessage;
  };

  it('accepts one Host header in any spelling, and HTTP/1.0 without one', () => {
    expect(headerProblem(request('1.1', ['Host', 'a.example', 'Accept', '*/*']))).toBeUndefined();
    expect(headerProblem(request('1.1', ['hOsT', 'a.example']))).toBeUndefined();
    expect(headerProblem(request('1.0', ['Accept', '*/*']))).toBeUndefined();
  });

  it('names a missing Host in HTTP/1.1', () => {
    expect(headerProblem(request('1.1', ['Accept', '*/*', 'X-Host', 'a.example']))).toEqual({
      error: 'MISSING_HOST',
      message: 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)',
    });
  });

  it('counts every Host line, whatever their values and the version', () => {
    expect(headerProblem(request('1.1', ['Host', 'a.example', 'host', 'b.example']))?.error).toBe(
      'INVALID_HOST',
    );
    expect(headerProblem(request('1.0', ['Host', 'a', 'Accept', 'x', 'HOST', 'a', 'Host', 'a']))).toEqual({
      error: 'INVALID_HOST',
      message: 'A request carries one Host header; this one has 3',
    });
  });

  it('accepts chunked alone, in any spelling', () => {
    expect(headerProblem(request('1.1', ['Host', 'a', 'Transfer-Encoding', 'chunked']))).toBeUndefined();
    expect(headerProblem(request('1.1', ['Host', 'a', 'transfer-encoding', ' CHUNKED ']))).toBeUndefined();
  });

  it('names every other transfer coding, in one header or several', () => {
    expect(headerProblem(request('1.1', ['Host', 'a', 'Transfer-Encoding', 'gzip, chunked']))).toEqual({
      error: 'UNSUPPORTED_TRANSFER_ENCODING',
      message:
        'Transfer-Encoding gzip is not accepted; send the body with chunked alone or with Content-Length',
    });
    expect(
      headerProblem(
        request('1.1', [
          'Host',
          'a',
          'Transfer-Encoding',
          'deflate',
          'Transfer-Encoding',
          'x-custom,chunked',
        ]),
      )?.message,
    ).toContain('Transfer-Encoding deflate, x-custom is not accepted');
  });

  it('names at most 40 characters of the codings', () => {
    const message = headerProblem(
      request('1.1', ['Host', 'a', 'Transfer-Encoding', `${'x'.repeat(5000)}, chunked`]),
    )?.message;
    expect(message).toBe(
      `Transfer-Encoding ${'x'.repeat(40)}... is not accepted; send the body with chunked alone or with Content-Length`,
    );
  });
});

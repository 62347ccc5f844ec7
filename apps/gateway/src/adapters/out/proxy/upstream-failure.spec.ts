import { classifyUpstreamFailure, errorCodes } from './upstream-failure';

function wrapped(code: string, outer = 'FST_REPLY_FROM_INTERNAL_SERVER_ERROR'): Error {
  return Object.assign(new Error('wrapped'), {
    code: outer,
    cause: Object.assign(new Error('inner'), { code }),
  });
}

describe('upstream failures', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])(
    'reports a service that cannot be reached (%s) as 503 with Retry-After',
    (code) => {
      expect(classifyUpstreamFailure(wrapped(code), 'booking')).toEqual({
        status: 503,
        error: 'UPSTREAM_UNAVAILABLE',
        message: 'The booking service is unavailable; retry shortly',
        retryAfterS: 2,
      });
    },
  );

  it('finds the code inside the AggregateError of a multi-address connect', () => {
    const aggregate = Object.assign(
      new AggregateError([Object.assign(new Error('v6'), { code: 'ECONNREFUSED' })]),
      {},
    );
    expect(classifyUpstreamFailure(wrapped('X', 'Y'), 'x').status).toBe(502);
    expect(
      classifyUpstreamFailure(Object.assign(new Error('outer'), { cause: aggregate }), 'mypage').status,
    ).toBe(503);
  });

  it('reports a slow service as 504', () => {
    expect(
      classifyUpstreamFailure(
        wrapped('UND_ERR_HEADERS_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT'),
        'payment',
      ),
    ).toEqual({
      status: 504,
      error: 'UPSTREAM_TIMEOUT',
      message: 'The payment service did not answer in time',
    });
  });

  it('reports anything else (reset connection, bad answer) as 502', () => {
    expect(classifyUpstreamFailure(wrapped('ECONNRESET', 'ECONNRESET'), 'booking').status).toBe(502);
    expect(classifyUpstreamFailure(new Error('???'), 'booking').status).toBe(502);
    expect(classifyUpstreamFailure('not even an error', 'booking').status).toBe(502);
  });

  it('collects codes along the cause chain without looping forever', () => {
    const loop: Error & { code?: string; cause?: unknown } = Object.assign(new Error('loop'), { code: 'A' });
    loop.cause = loop;
    expect(errorCodes(loop).length).toBeLessThan(10);
    expect(errorCodes(wrapped('ECONNREFUSED'))).toEqual([
      'FST_REPLY_FROM_INTERNAL_SERVER_ERROR',
      'ECONNREFUSED',
    ]);
  });
});

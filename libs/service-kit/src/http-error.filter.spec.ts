import { Logger, type ArgumentsHost } from '@nestjs/common';
import { HttpErrorFilter } from './http-error.filter';

function answer(exception: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const seen = { status: 0, body: {} as Record<string, unknown>, headers: {} as Record<string, string> };
  const reply = {
    status(code: number) {
      seen.status = code;
      return reply;
    },
    header(name: string, value: string) {
      seen.headers[name] = value;
      return reply;
    },
    send(body: Record<string, unknown>) {
      seen.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return seen;
}

describe('HttpErrorFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('answers a database outage with 503 and Retry-After, not 500', () => {
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {
      name: 'QueryFailedError',
    });
    const { status, body, headers } = answer(outage);
    expect(status).toBe(503);
    expect(body.error).toBe('SERVICE_TEMPORARILY_UNAVAILABLE');
    expect(headers['Retry-After']).toBe('1');
  });

  it('answers a deadlock victim with 503 so the client retries', () => {
    const { status } = answer(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    expect(status).toBe(503);
  });

  it('keeps a real bug a logged 500 that leaks nothing', () => {
    const { status, body } = answer(new TypeError('secret internals'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('secret internals');
  });
});

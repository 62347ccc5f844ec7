import {
  ForbiddenException,
  HttpException,
  Logger,
  NotFoundException,
  type ArgumentsHost,
} from '@nestjs/common';
import { DomainError } from '@storage/ddd';
import { probingClassifier } from '@storage/messaging';
import { HttpErrorFilter } from './http-error.filter';

class SeatTakenError extends DomainError {
  readonly code = 'SEAT_TAKEN';
  readonly status = 409;
  constructor() {
    super('Seat 4 is taken', { seat: 4 });
  }
}

async function answer(
  exception: unknown,
  request: {
    url: string;
    method?: string;
    documentsPrefix?: string;
    /** The router's routes: path -> the methods it is served with. */
    routes?: Record<string, string[]>;
    /**
     * Left out: a data service's filter, which classifies failures as its consumers do, with its
     * database answering the probe; 'down': the same with the probe failing; 'none': no rule.
     */
    classify?: 'none' | 'down';
    /** The reply's header() throws, as a reply in a state no one foresaw might. */
    headerThrows?: boolean;
  } = { url: '/bookings' },
): Promise<{
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}> {
  const seen = { status: 0, body: {} as Record<string, unknown>, headers: {} as Record<string, string> };
  let sent!: () => void;
  const answered = new Promise<void>((resolve) => (sent = resolve));
  const reply = {
    sent: false,
    status(code: number) {
      seen.status = code;
      return reply;
    },
    header(name: string, value: string) {
      if (request.headerThrows) {
        throw new Error('header() refused');
      }
      seen.headers[name] = value;
      return reply;
    },
    send(body: Record<string, unknown>) {
      seen.body = body;
      reply.sent = true;
      sent();
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({
      getResponse: () => reply,
      getRequest: () => ({
        url: request.url,
        method: request.method ?? 'GET',
        server: {
          findRoute: ({ method, url }: { method: string; url: string }) =>
            (request.routes?.[url] ?? []).includes(method) ? { params: {} } : null,
        },
      }),
    }),
  } as unknown as ArgumentsHost;
  const classify =
    request.classify === 'none'
      ? undefined
      : probingClassifier(() =>
          request.classify === 'down' ? Promise.reject(new Error('probe failed')) : Promise.resolve(),
        );
  new HttpErrorFilter(request.documentsPrefix, undefined, classify).catch(exception, host);
  await answered;
  return seen;
}

describe('HttpErrorFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it("answers the static document plugin's refusal of a path (a bare 403) with 404 under the documents prefix only", async () => {
    // What Nest makes of @fastify/static's FST_STATIC_FORBIDDEN_PATH (a file name over 255 bytes, "//").
    const refusal = new HttpException('Forbidden', 403);
    const underDocs = await answer(refusal, { url: `/docs/${'x'.repeat(300)}`, documentsPrefix: '/docs/' });
    expect(underDocs.status).toBe(404);
    expect(underDocs.body).toMatchObject({
      error: 'NOT_FOUND',
      message: 'No document at this path under /docs/',
    });
    const elsewhere = await answer(new ForbiddenException(), {
      url: '/bookings/1',
      documentsPrefix: '/docs/',
    });
    expect(elsewhere.status).toBe(403);
  });

  it('names a missing route without the query the gateway added to it, and leaves other 404s as they are', async () => {
    const url = '/mypage/bookings/?customerId=alice';
    const missing = await answer(new NotFoundException(`Cannot GET ${url}`), { url });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'NOT_FOUND', message: 'No route for GET /mypage/bookings/' });
    const posted = await answer(new NotFoundException('Cannot POST /nothing'), {
      url: '/nothing',
      method: 'POST',
    });
    expect(posted.body).toMatchObject({ message: 'No route for POST /nothing' });
    // A handler's own 404 that happens to read alike for another request keeps its words.
    const other = await answer(new NotFoundException('Cannot GET /x'), { url: '/y' });
    expect(other.body).toMatchObject({ message: 'Cannot GET /x' });
  });

  it('answers a path served with other methods with 405, naming them in Allow and in the message', async () => {
    const routes = { '/bookings/1/cancel': ['POST'], '/bookings': ['GET', 'HEAD', 'POST'] };
    const cancelByGet = await answer(
      new NotFoundException('Cannot GET /bookings/1/cancel?customerId=alice'),
      {
        url: '/bookings/1/cancel?customerId=alice',
        routes,
      },
    );
    expect(cancelByGet.status).toBe(405);
    expect(cancelByGet.headers.allow).toBe('POST');
    expect(cancelByGet.body).toMatchObject({
      statusCode: 405,
      error: 'METHOD_NOT_ALLOWED',
      message: 'GET is not served at /bookings/1/cancel; it is served with POST',
    });
    const put = await answer(new NotFoundException('Cannot PUT /bookings'), {
      url: '/bookings',
      method: 'PUT',
      routes,
    });
    expect(put.headers.allow).toBe('GET, HEAD, POST');
    // A wildcard route whose handler found nothing there (the static documents) stays a 404.
    const asset = await answer(new NotFoundException('Cannot GET /docs/x'), {
      url: '/docs/x',
      routes: { '/docs/x': ['GET', 'HEAD'] },
    });
    expect(asset.status).toBe(404);
    expect(asset.headers.allow).toBeUndefined();
    // A path no method is served at stays a 404, without Allow.
    const nothing = await answer(new NotFoundException('Cannot PUT /nothing'), {
      url: '/nothing',
      method: 'PUT',
      routes,
    });
    expect(nothing.status).toBe(404);
    expect(nothing.headers.allow).toBeUndefined();
  });

  it('answers a domain error with the status it carries, its code and its details', async () => {
    const { status, body } = await answer(new SeatTakenError());
    expect(status).toBe(409);
    expect(body).toMatchObject({
      statusCode: 409,
      error: 'SEAT_TAKEN',
      message: 'Seat 4 is taken',
      details: { seat: 4 },
    });
  });

  it('answers a database outage with 503 and Retry-After, not 500', async () => {
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {
      name: 'QueryFailedError',
    });
    const { status, body, headers } = await answer(outage);
    expect(status).toBe(503);
    expect(body.error).toBe('SERVICE_TEMPORARILY_UNAVAILABLE');
    expect(headers['Retry-After']).toBe('1');
  });

  it('answers the same error with a logged 500 where no classification is handed in (the gateway)', async () => {
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {
      name: 'QueryFailedError',
    });
    const { status, body, headers } = await answer(outage, { url: '/bookings', classify: 'none' });
    expect(status).toBe(500);
    expect(body.error).toBe('INTERNAL_ERROR');
    expect(headers['Retry-After']).toBeUndefined();
  });

  it('tells the edge how long a 503 holds for everyone when the error says so, and only then', async () => {
    class BusyError extends DomainError {
      readonly code = 'BUSY';
      readonly status = 503;
      constructor(
        readonly retryAfterSeconds: number,
        readonly refusesEveryoneForMs?: number,
      ) {
        super('Busy; try again shortly');
      }
    }
    const held = await answer(new BusyError(2, 50));
    expect(held.status).toBe(503);
    expect(held.headers).toEqual({ 'Retry-After': '2', 'x-edge-hold-ms': '50' });
    // A refusal of this request alone (a call that timed out) says nothing about the next one.
    expect((await answer(new BusyError(1))).headers).toEqual({ 'Retry-After': '1' });
  });

  it('answers a deadlock victim with 503 so the client retries', async () => {
    const { status } = await answer(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    expect(status).toBe(503);
  });

  it('answers a failure no rule knows with 503 while the database does not answer a probe either', async () => {
    // An outage in words no rule has met, as a driver may give after an upgrade.
    const strange = new Error('pg: the server went away in an unforeseen way');
    const { status, body, headers } = await answer(strange, { url: '/bookings', classify: 'down' });
    expect(status).toBe(503);
    expect(body.error).toBe('SERVICE_TEMPORARILY_UNAVAILABLE');
    expect(body.message).toMatch(/cannot reach its database/);
    expect(headers['Retry-After']).toBe('1');
  });

  it('still answers (500) when answering a classified failure fails, instead of leaving the caller waiting', async () => {
    const strange = new Error('pg: the server went away in an unforeseen way');
    const { status, body } = await answer(strange, {
      url: '/bookings',
      classify: 'down',
      headerThrows: true,
    });
    expect(status).toBe(500);
    expect(body.error).toBe('INTERNAL_ERROR');
  });

  it('keeps a real bug a logged 500 that leaks nothing', async () => {
    const { status, body } = await answer(new TypeError('secret internals'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('secret internals');
  });
});

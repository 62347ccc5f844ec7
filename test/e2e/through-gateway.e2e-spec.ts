import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Topics } from '@storage/contracts';
import { http } from '../support/http';
import { collect, header } from '../support/kafka';
import { uniqueCode, uniquePeriod, type BookingBody, type PaymentBody } from '../support/rental-api';
import { GatewayClient } from '../support/gateway-client';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const SECRET = 'e2e-internal-secret-0123456789';

/**
 * The whole system as a client meets it: every call through the gateway with a JWT, services
 * requiring the internal secret, customers confined to their own data.
 */
describe('through the gateway', () => {
  let system: System;
  let client: GatewayClient;
  let api: string;
  const as = (who: string, extra: Record<string, string> = {}) => client.as(who, extra);

  beforeAll(async () => {
    const secret = { INTERNAL_AUTH_SECRET: SECRET };
    system = await System.start({
      label: 'through-gateway',
      services: ['payment', 'storage-assign', 'booking', 'mypage', 'gateway'],
      env: { payment: secret, 'storage-assign': secret, booking: secret, mypage: secret, gateway: secret },
    });
    client = new GatewayClient(system.url('gateway'));
    api = client.api;
    await client.login('alice', `alice-${Date.now()}`, 'customer');
    await client.login('bob', `bob-${Date.now()}`, 'customer');
    await client.login('staff', 'staff-1', 'staff');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('lets staff manage units and refuses customers (403) and anonymous callers (401)', async () => {
    const unit = { code: uniqueCode('GW'), size: 'S', dailyRate: 2500 };
    expect((await http('POST', `${api}/storage-units`, { body: unit })).status).toBe(401);
    expect((await http('POST', `${api}/storage-units`, { body: unit, headers: as('alice') })).status).toBe(
      403,
    );
    const created = await http<{ code: string }>('POST', `${api}/storage-units`, {
      body: unit,
      headers: as('staff'),
    });
    expect(created.status).toBe(201);
    const period = uniquePeriod(1);
    await waitFor(
      'the new unit to be priced (public quote)',
      () =>
        http<{ dailyRate: number }>(
          'GET',
          `${api}/quotes?size=S&startDate=${period.startDate}&endDate=${period.endDate}`,
        ),
      (response) => response.status === 200 && response.body.dailyRate >= 2500,
    );
  });

  it('books as the token’s customer whatever the client claims, and keeps customers apart', async () => {
    const sink = await collect([Topics.bookingEvents]);
    const requestId = `e2e-gw-${Date.now()}`;
    const placed = await http<BookingBody>('POST', `${api}/bookings`, {
      body: { customerId: 'mallory', size: 'S', ...uniquePeriod(3) },
      headers: as('alice', { 'x-user-id': 'mallory', 'x-user-role': 'staff', 'x-request-id': requestId }),
    });
    expect(placed.status).toBe(201);
    expect(placed.headers.get('x-request-id')).toBe(requestId);
    const aliceId = placed.body.customerId;
    expect(aliceId).toMatch(/^alice-/);

    const mine = await http<BookingBody>('GET', `${api}/bookings/${placed.body.id}`, {
      headers: as('alice'),
    });
    expect(mine.status).toBe(200);
    const theirs = await http('GET', `${api}/bookings/${placed.body.id}`, { headers: as('bob') });
    expect(theirs.status).toBe(404);
    const bobsList = await http<BookingBody[]>('GET', `${api}/bookings?customerId=${aliceId}`, {
      headers: as('bob'),
    });
    expect(bobsList.body).toEqual([]);
    const cancelByBob = await http('POST', `${api}/bookings/${placed.body.id}/cancel`, {
      headers: as('bob'),
    });
    expect(cancelByBob.status).toBe(404);

    const payments = await http<PaymentBody[]>('GET', `${api}/payments?bookingId=${placed.body.id}`, {
      headers: as('alice'),
    });
    expect(payments.body).toHaveLength(1);
    const paymentId = payments.body[0].id;
    expect((await http('GET', `${api}/payments/${paymentId}`, { headers: as('bob') })).status).toBe(404);
    expect((await http('GET', `${api}/payments/${paymentId}`, { headers: as('alice') })).status).toBe(200);
    expect((await http('POST', `${api}/payments`, { headers: as('alice'), body: {} })).status).toBe(405);

    const view = await waitFor(
      'my page to show the confirmed booking',
      () =>
        http<{ status: string }>('GET', `${api}/mypage/bookings/${placed.body.id}`, { headers: as('alice') }),
      (response) => response.status === 200 && response.body.status === 'CONFIRMED',
    );
    expect(view.status).toBe(200);
    expect(
      (await http('GET', `${api}/mypage/bookings/${placed.body.id}`, { headers: as('bob') })).status,
    ).toBe(404);
    const bobsNotices = await http<unknown[]>('GET', `${api}/mypage/notices?customerId=${aliceId}`, {
      headers: as('bob'),
    });
    expect(bobsNotices.body).toEqual([]);

    // One request id from the edge to the event: gateway log, booking log, Kafka headers.
    const event = await waitFor(
      'BookingPlaced on Kafka',
      () =>
        Promise.resolve(
          sink.received.find(
            (entry) =>
              entry.message.key?.toString() === placed.body.id &&
              header(entry.message, 'event-type') === 'BookingPlaced',
          ),
        ),
      (entry) => entry !== undefined,
    );
    await sink.stop();
    expect(header(event!.message, 'x-request-id')).toBe(requestId);
    expect(readFileSync(system.service('gateway').logFile, 'utf8')).toContain(`"requestId":"${requestId}"`);
    expect(readFileSync(system.service('booking').logFile, 'utf8')).toContain(`"requestId":"${requestId}"`);
  });

  it('refuses a body it cannot read as JSON with a 415 saying why, and books nothing', async () => {
    const period = uniquePeriod(2);
    const json = JSON.stringify({ size: 'S', ...period });
    const refusals: {
      headers: Record<string, string>;
      body: string | Uint8Array;
      error: string;
      names: string;
    }[] = [
      {
        headers: { 'content-encoding': 'gzip' },
        body: gzipSync(json),
        error: 'UNSUPPORTED_CONTENT_ENCODING',
        names: 'gzip',
      },
      // Labelled compressed but sent plain: taken neither way.
      {
        headers: { 'content-encoding': 'gzip' },
        body: json,
        error: 'UNSUPPORTED_CONTENT_ENCODING',
        names: 'gzip',
      },
      {
        headers: { 'content-type': 'text/plain' },
        body: json,
        error: 'UNSUPPORTED_MEDIA_TYPE',
        names: 'text/plain',
      },
      {
        headers: { 'content-type': 'application/xml' },
        body: '<b/>',
        error: 'UNSUPPORTED_MEDIA_TYPE',
        names: 'application/xml',
      },
    ];
    for (const { headers, body, error, names } of refusals) {
      const answer = await http<{ error: string; message: string }>('POST', `${api}/bookings`, {
        rawBody: body,
        headers: as('alice', headers),
      });
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 415, error });
      expect(answer.body.message).toContain(names);
    }
    const mine = await http<BookingBody[]>('GET', `${api}/bookings?limit=100`, { headers: as('alice') });
    expect(mine.body.filter((booking) => booking.startDate === period.startDate)).toEqual([]);

    // An empty body has no type to be wrong about: fetch labels `body: ''` text/plain.
    const placed = await http<BookingBody>('POST', `${api}/bookings`, {
      body: { size: 'S', ...period },
      headers: as('alice'),
    });
    expect(placed.status).toBe(201);
    const cancelled = await http<BookingBody>('POST', `${api}/bookings/${placed.body.id}/cancel`, {
      rawBody: '',
      headers: as('alice', { 'content-type': 'text/plain;charset=UTF-8' }),
    });
    expect(cancelled.status).toBe(200);
    // Nor labelled JSON (clients that set the type on every request): a cancel takes no body, and
    // a route that needs one names the fields it lacks.
    const again = await http<BookingBody>('POST', `${api}/bookings`, {
      body: { size: 'S', ...uniquePeriod(2) },
      headers: as('alice'),
    });
    expect(again.status).toBe(201);
    const jsonType = { 'content-type': 'application/json' };
    const cancelledJson = await http<BookingBody>('POST', `${api}/bookings/${again.body.id}/cancel`, {
      rawBody: '',
      headers: as('alice', jsonType),
    });
    expect({ status: cancelledJson.status, booking: cancelledJson.body.status }).toEqual({
      status: 200,
      booking: 'CANCELLED',
    });
    const bodiless = await http<{ error: string; message: string }>('POST', `${api}/bookings`, {
      rawBody: '',
      headers: as('alice', jsonType),
    });
    expect({ status: bodiless.status, error: bodiless.body.error }).toEqual({
      status: 400,
      error: 'VALIDATION_FAILED',
    });
    expect(bodiless.body.message).toContain('size');
  });

  it('refuses direct calls to a service that lack the internal secret', async () => {
    const direct = await http<{ error: string }>('GET', `${system.url('booking')}/bookings`);
    expect(direct.status).toBe(401);
    expect(direct.body.error).toBe('INTERNAL_AUTH_REQUIRED');
    const forged = await http('GET', `${system.url('booking')}/bookings`, {
      headers: { 'x-user-id': 'anyone', 'x-user-role': 'staff' },
    });
    expect(forged.status).toBe(401);
    expect((await http('GET', `${system.url('booking')}/health/ready`)).status).toBe(200);
  });

  it('documents every service in one place', async () => {
    const list = await http<{ specs: { name: string }[]; unavailable: string[] }>(
      'GET',
      `${system.url('gateway')}/docs/services`,
    );
    expect(list.status).toBe(200);
    expect(list.body.unavailable).toEqual([]);
    expect(list.body.specs.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['booking', 'payment', 'storage-assign', 'mypage']),
    );
    const booking = await http<{ paths: Record<string, unknown> }>(
      'GET',
      `${system.url('gateway')}/docs/services/booking/openapi.json`,
    );
    expect(Object.keys(booking.body.paths).some((path) => path.includes('bookings'))).toBe(true);
  });
});

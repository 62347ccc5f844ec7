import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@storage/contracts';
import { http } from '../support/http';
import { collect, committedOffset, header, kafka } from '../support/kafka';
import { RentalApi, uniqueCustomer, uniquePeriod, type BookingBody } from '../support/rental-api';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

/**
 * The product, end to end, through the services' HTTP APIs against real Kafka and Postgres:
 * every flow of the booking saga, the failure modes, and the invariants that must hold after all.
 */
describe('booking saga', () => {
  let system: System;
  let api: RentalApi;
  const placed: string[] = [];

  const today = new Date().toISOString().slice(0, 10);
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  async function bookOk(
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<BookingBody> {
    const response = await api.book(body, headers);
    expect(response.status).toBe(201);
    placed.push(response.body.id);
    return response.body;
  }

  beforeAll(async () => {
    system = await System.start({
      label: 'booking-saga',
      services: ['payment', 'storage-assign', 'booking', 'mypage'],
      // Fail over quickly when a test stops storage-assign on purpose.
      env: { booking: { AVAILABILITY_TIMEOUT_MS: '200' } },
    });
    api = new RentalApi(system);
    for (const size of ['S', 'M', 'L'] as const) {
      await api.registerUnit(size, 2000);
    }
    await Promise.all(['S', 'M', 'L'].map((size) => api.waitForPrice(size, 2000)));
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('confirms a paid booking with a unit and shows it on my page with notices', async () => {
    const customerId = uniqueCustomer('happy');
    const period = uniquePeriod(10);
    const quote = await http<{ dailyRate: number; amount: number }>(
      'GET',
      `${system.url('booking')}/quotes?size=S&startDate=${period.startDate}&endDate=${period.endDate}`,
    );
    expect(quote.status).toBe(200);
    const booking = await bookOk({ customerId, size: 'S', ...period });
    expect(booking).toMatchObject({ status: 'PAID', customerId, days: 10 });
    // The price list's rate for the size, times the days: what the quote promised.
    expect(quote.body.amount).toBe(quote.body.dailyRate * 10);
    expect(booking.amount).toBe(quote.body.amount);
    expect(booking.paymentId).not.toBeNull();

    const confirmed = await api.waitForStatus(booking.id, 'CONFIRMED');
    const unit = await http<{ size: string; code: string }>(
      'GET',
      `${system.url('storage-assign')}/storage-units/${confirmed.unitId}`,
    );
    expect(unit.body).toMatchObject({ size: 'S', code: confirmed.unitCode });
    expect(await api.payments(booking.id)).toMatchObject([{ status: 'APPROVED', amount: booking.amount }]);

    const view = await api.waitForMypage(
      booking.id,
      (page) => page.status === 'CONFIRMED' && !!page.unitCode,
      'confirmed',
    );
    expect(view).toMatchObject({ customerId, unitCode: confirmed.unitCode, paymentStatus: 'APPROVED' });
    expect(view.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['PaymentApproved', 'BookingPlaced', 'StorageAssigned', 'BookingConfirmed']),
    );
    const notices = await waitFor(
      'two notices',
      () => api.notices(customerId),
      (list) => list.length === 2,
    );
    expect(notices.map((notice) => notice.kind).sort()).toEqual(['CONFIRMED', 'PAID']);
    expect(notices.find((notice) => notice.kind === 'CONFIRMED')?.message).toContain(confirmed.unitCode);
  });

  it('returns the same booking for the same Idempotency-Key and never charges twice', async () => {
    const customerId = uniqueCustomer('idem');
    const body = { customerId, size: 'M', ...uniquePeriod(3) };
    const key = `key-${randomUUID()}`;
    const first = await api.book(body, { 'idempotency-key': key });
    const second = await api.book(body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    placed.push(first.body.id);
    expect(await api.bookingsOf(customerId)).toHaveLength(1);
    expect(await api.payments(first.body.id)).toHaveLength(1);
    // The same key with other terms is a client bug, refused by name, never the first booking.
    const reused = await api.book({ ...body, ...uniquePeriod(4) }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.body.message).toContain('startDate');
    expect(await api.bookingsOf(customerId)).toHaveLength(1);
  });

  it('answers a declined payment with 402 and records the booking as REJECTED, never accepted', async () => {
    const customerId = uniqueCustomer('declined');
    const response = await api.book({
      customerId,
      size: 'S',
      ...uniquePeriod(2),
      paymentMethod: 'card-declined',
    });
    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ error: 'PAYMENT_DECLINED' });
    expect(response.body.message).toContain('CARD_DECLINED');
    const [booking] = await api.bookingsOf(customerId);
    placed.push(booking.id);
    expect(booking).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED', unitId: null });
    expect(await api.payments(booking.id)).toMatchObject([{ status: 'DECLINED' }]);
    await api.waitForMypage(booking.id, (view) => view.status === 'REJECTED', 'rejected');
  });

  it.each([
    [{ size: 'XL', startDate: '2300-01-01', endDate: '2300-01-05' }, 400, /size: size must be one of/],
    [{ size: 'S', startDate: '2300-01-01' }, 400, /endDate: endDate must be YYYY-MM-DD/],
    [{ size: 'S', startDate: '2300-02-30', endDate: '2300-03-05' }, 400, /startDate must be a calendar date/],
    [{ size: 'S', startDate: '2300-01-05', endDate: '2300-01-01' }, 400, /endDate must be after startDate/],
    [{ size: 'S', startDate: '2020-01-01', endDate: '2020-01-05' }, 422, /in the past/],
    [{ size: 'S', startDate: '2300-01-01', endDate: '2302-01-01' }, 422, /at most 365 days/],
    [
      { size: 'S', startDate: '2300-01-01', endDate: '2300-01-05', price: 1 },
      400,
      /property price should not exist/,
    ],
  ])('refuses %j with %i naming the problem', async (body, status, message) => {
    const response = await api.book({ customerId: uniqueCustomer('invalid'), ...body });
    expect(response.status).toBe(status);
    expect(response.body.message).toMatch(message);
  });

  it('refuses malformed requests with a clear 4xx', async () => {
    const booking = system.url('booking');
    const malformed = await http('POST', `${booking}/bookings`, { rawBody: '{"size": "S",' });
    expect(malformed.status).toBe(400);
    const noCustomer = await api.book({ size: 'S', ...uniquePeriod(1) });
    expect(noCustomer.status).toBe(400);
    expect(noCustomer.body.message).toContain('customerId');
    const badKey = await api.book(
      { customerId: 'x', size: 'S', ...uniquePeriod(1) },
      { 'idempotency-key': 'a b' },
    );
    expect(badKey.status).toBe(400);
    const notAnId = await http<{ error: string; message: string }>('GET', `${booking}/bookings/not-a-uuid`);
    expect(notAnId.status).toBe(400);
    expect(notAnId.body).toMatchObject({ error: 'VALIDATION_FAILED', message: 'id: id must be a UUID' });
    const notAUnit = await http<{ message: string }>(
      'GET',
      `${system.url('storage-assign')}/storage-units/${encodeURIComponent('1 OR 1=1')}`,
    );
    expect(notAUnit.status).toBe(400);
    expect(notAUnit.body.message).toBe('id: id must be a UUID');
    expect((await http('GET', `${booking}/bookings/${randomUUID()}`)).status).toBe(404);
    const unknownRoute = await http<{ message: string }>('GET', `${booking}/nothing-here?customerId=x`);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.message).toBe('No route for GET /nothing-here');
    // A route asked for with a method it is not served with: 405, and what it is served with.
    const cancelByGet = await http<{ error: string }>('GET', `${booking}/bookings/${randomUUID()}/cancel`);
    expect(cancelByGet.status).toBe(405);
    expect(cancelByGet.body.error).toBe('METHOD_NOT_ALLOWED');
    expect(cancelByGet.headers.get('allow')).toBe('POST');
    const putBookings = await http('PUT', `${booking}/bookings`, { body: {} });
    expect(putBookings.status).toBe(405);
    expect(putBookings.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('answers hostile bodies and paging with 400 naming the problem, never 500', async () => {
    const booking = system.url('booking');
    const deep = await http<{ error: string; message: string }>('POST', `${booking}/bookings`, {
      rawBody: `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toBe('JSON_TOO_DEEP');
    const poisoned = await http<{ error: string; message: string }>('POST', `${booking}/bookings`, {
      rawBody: '{"customerId":"x","size":"S","__proto__":{"admin":true}}',
    });
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error).toBe('FORBIDDEN_JSON_KEY');
    expect(poisoned.body.message).toContain('__proto__');
    const cut = await http<{ error: string; message: string }>('POST', `${booking}/bookings`, {
      rawBody: '{"customerId":"x","size":',
    });
    expect(cut.status).toBe(400);
    expect(cut.body.error).toBe('INVALID_JSON');
    expect(cut.body.message).toMatch(/^The body is not valid JSON: .*JSON/);
    // A field given twice in one object: JSON.parse would keep the last without a word.
    const twice = await http<{ error: string; message: string }>('POST', `${booking}/bookings`, {
      rawBody: '{"customerId":"x","size":"S","size":"L","startDate":"2031-01-01","endDate":"2031-01-10"}',
    });
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({
      error: 'DUPLICATE_JSON_KEY',
      message: 'size: given more than once in one object; send each field once',
    });
    // A field named like a member every object has is refused like any other unknown one.
    const inherited = await http<{ message: string }>('GET', `${booking}/bookings?customerId=x&toString=1`);
    expect(inherited.status).toBe(400);
    expect(inherited.body.message).toBe('toString: property toString should not exist');
    // Out of range, or not plain decimal digits (hexadecimal, a leading space, given twice).
    for (const offset of ['10000000000000000000', '1e21', '0x10', '%201']) {
      const paged = await http<{ message: string }>(
        'GET',
        `${booking}/bookings?customerId=x&offset=${offset}`,
      );
      expect(paged.status).toBe(400);
      expect(paged.body.message).toBe('offset: offset must be a whole number from 0 to 1000000, given once');
    }
    // Any query parameter given twice says so (a list is no date, size or number).
    const pagedTwice = await http<{ message: string }>(
      'GET',
      `${booking}/bookings?customerId=x&offset=1&offset=2`,
    );
    expect(pagedTwice.status).toBe(400);
    expect(pagedTwice.body.message).toBe('offset: offset is given more than once; send it once');
    const quotedTwice = await http<{ message: string }>(
      'GET',
      `${booking}/quotes?size=M&startDate=2031-01-01&endDate=2031-01-10&startDate=2031-01-02`,
    );
    expect(quotedTwice.status).toBe(400);
    expect(quotedTwice.body.message).toBe('startDate: startDate is given more than once; send it once');
    expect(
      (await http('GET', `${system.url('mypage')}/mypage/notices?customerId=x&offset=1e21`)).status,
    ).toBe(400);
  });

  it('cancels before the start: unit released, money refunded, my page and notices follow', async () => {
    const customerId = uniqueCustomer('cancel');
    const period = uniquePeriod(5);
    const booking = await bookOk({ customerId, size: 'M', ...period });
    await api.waitForStatus(booking.id, 'CONFIRMED');
    const freeBefore = await api.freeUnits('M', period.startDate, period.endDate);

    const cancelled = await http<BookingBody>(
      'POST',
      `${system.url('booking')}/bookings/${booking.id}/cancel`,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });

    await api.waitForPayment(booking.id, 'REFUNDED');
    await waitFor(
      'the unit to be free again',
      () => api.freeUnits('M', period.startDate, period.endDate),
      (free) => free === freeBefore + 1,
    );
    const view = await api.waitForMypage(
      booking.id,
      (page) => page.status === 'CANCELLED' && page.paymentStatus === 'REFUNDED' && page.unitReleased,
      'cancelled and refunded',
    );
    expect(view.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['BookingCancelled', 'StorageReleased', 'PaymentRefunded']),
    );
    const kinds = (
      await waitFor(
        'four notices',
        () => api.notices(customerId),
        (list) => list.length === 4,
      )
    ).map((notice) => notice.kind);
    expect(kinds.sort()).toEqual(['CANCELLED', 'CONFIRMED', 'PAID', 'REFUNDED']);

    const again = await http<{ error: string }>(
      'POST',
      `${system.url('booking')}/bookings/${booking.id}/cancel`,
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('BOOKING_STATE_CONFLICT');
  });

  it('refuses (409) without charging when storage-assign says nothing is free', async () => {
    const customerId = uniqueCustomer('full');
    const period = uniquePeriod(4);
    const free = await api.freeUnits('L', period.startDate, period.endDate);
    for (let i = 0; i < free; i += 1) {
      const booking = await bookOk({ customerId, size: 'L', ...period });
      await api.waitForStatus(booking.id, 'CONFIRMED');
    }
    const refused = await api.book({ customerId, size: 'L', ...period });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('NO_UNIT_AVAILABLE');
    expect(await api.bookingsOf(customerId)).toHaveLength(free);
  });

  it('lets exactly one of two concurrent bookings for the last free unit win; the other is refunded', async () => {
    const customerId = uniqueCustomer('race');
    const period = uniquePeriod(7);
    const free = await api.freeUnits('S', period.startDate, period.endDate);
    for (let i = 0; i < free - 1; i += 1) {
      await api.waitForStatus((await bookOk({ customerId, size: 'S', ...period })).id, 'CONFIRMED');
    }
    const [first, second] = await Promise.all([
      bookOk({ customerId, size: 'S', ...period }),
      bookOk({ customerId, size: 'S', ...period }),
    ]);
    const outcomes = await waitFor(
      'both racers to settle',
      () => Promise.all([api.booking(first.id), api.booking(second.id)]),
      (bookings) => bookings.every((booking) => ['CONFIRMED', 'REJECTED'].includes(booking.status)),
    );
    expect(outcomes.map((booking) => booking.status).sort()).toEqual(['CONFIRMED', 'REJECTED']);
    const loser = outcomes.find((booking) => booking.status === 'REJECTED')!;
    expect(loser.rejectionReason).toBe('NO_UNIT_AVAILABLE');
    await api.waitForPayment(loser.id, 'REFUNDED');
    await api.waitForMypage(
      loser.id,
      (view) => view.status === 'REJECTED' && view.paymentStatus === 'REFUNDED',
      'refunded',
    );
  });

  it('checks out a started rental: COMPLETED, the unit goes to inspection, staff put it back', async () => {
    const customerId = uniqueCustomer('checkout');
    const unit = await api.registerUnit('M', 2000);
    const booking = await bookOk({ customerId, size: 'M', startDate: today, endDate: inDays(3) });
    const confirmed = await api.waitForStatus(booking.id, 'CONFIRMED');
    const cancel = await http('POST', `${system.url('booking')}/bookings/${booking.id}/cancel`);
    expect(cancel.status).toBe(409);

    const done = await http<BookingBody>('POST', `${system.url('booking')}/bookings/${booking.id}/check-out`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('COMPLETED');
    const storage = system.url('storage-assign');
    await waitFor(
      'the unit to await inspection',
      () => http<{ status: string }>('GET', `${storage}/storage-units/${confirmed.unitId}`),
      (response) => response.body.status === 'INSPECTION',
    );
    const back = await http<{ status: string }>('PATCH', `${storage}/storage-units/${confirmed.unitId}`, {
      body: { status: 'AVAILABLE' },
    });
    expect(back.body.status).toBe('AVAILABLE');
    await api.waitForMypage(booking.id, (view) => view.status === 'COMPLETED', 'completed');
    void unit;
  });

  it('moves bookings off a retired unit, or cancels and refunds them when nothing else is free', async () => {
    const storage = system.url('storage-assign');
    const customerId = uniqueCustomer('retire');
    const period = uniquePeriod(6);
    await api.registerUnit('L', 2000);
    const moved = await bookOk({ customerId, size: 'L', ...period });
    const before = await api.waitForStatus(moved.id, 'CONFIRMED');

    const retired = await http<{ reassigned: { bookingId: string; unitCode: string }[]; revoked: string[] }>(
      'DELETE',
      `${storage}/storage-units/${before.unitId}`,
    );
    expect(retired.status).toBe(200);
    // The unit may hold other suites' bookings too; ours must have moved.
    const ours = retired.body.reassigned.find((entry) => entry.bookingId === moved.id);
    expect(ours).toBeDefined();
    const after = await waitFor(
      'the booking to move to another unit',
      () => api.booking(moved.id),
      (booking) => booking.unitId !== before.unitId,
    );
    expect(after.status).toBe('CONFIRMED');
    expect(after.unitCode).toBe(ours!.unitCode);
    await api.waitForMypage(moved.id, (view) => view.unitCode === after.unitCode, 'shows the new unit');

    // Fill every L unit for a second period, then retire one of them: nowhere to move.
    const full = uniquePeriod(3);
    const free = await api.freeUnits('L', full.startDate, full.endDate);
    const holders: BookingBody[] = [];
    for (let i = 0; i < free; i += 1) {
      holders.push(
        await api.waitForStatus((await bookOk({ customerId, size: 'L', ...full })).id, 'CONFIRMED'),
      );
    }
    const victim = holders[0];
    const revoked = await http<{ revoked: string[] }>('DELETE', `${storage}/storage-units/${victim.unitId}`);
    expect(revoked.body.revoked).toContain(victim.id);
    const cancelled = await api.waitForStatus(victim.id, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('UNIT_RETIRED');
    await api.waitForPayment(victim.id, 'REFUNDED');
    const again = await http<{ error: string }>('PATCH', `${storage}/storage-units/${victim.unitId}`, {
      body: { status: 'AVAILABLE' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('STORAGE_UNIT_ILLEGAL_TRANSITION');
  });

  it('keeps taking bookings while storage-assign is down and assigns them when it is back', async () => {
    const customerId = uniqueCustomer('outage');
    const period = uniquePeriod(8);
    const free = await api.freeUnits('M', period.startDate, period.endDate);
    await system.service('storage-assign').stop();
    try {
      const accepted: BookingBody[] = [];
      for (let i = 0; i < free + 1; i += 1) {
        accepted.push(await bookOk({ customerId, size: 'M', ...period }));
      }
      expect(accepted.every((booking) => booking.status === 'PAID')).toBe(true);
      await system.startService('storage-assign');
      const settled = await waitFor(
        'every booking placed during the outage to settle',
        () => Promise.all(accepted.map((booking) => api.booking(booking.id))),
        (bookings) => bookings.every((booking) => booking.status !== 'PAID'),
        { timeoutMs: 60_000 },
      );
      const statuses = settled.map((booking) => booking.status);
      expect(statuses.filter((status) => status === 'CONFIRMED')).toHaveLength(free);
      expect(statuses.filter((status) => status === 'REJECTED')).toHaveLength(1);
      const rejected = settled.find((booking) => booking.status === 'REJECTED')!;
      expect(rejected.rejectionReason).toBe('NO_UNIT_AVAILABLE');
      await api.waitForPayment(rejected.id, 'REFUNDED');
    } finally {
      if (!system.service('storage-assign').running) {
        await system.startService('storage-assign');
      }
    }
  });

  it('changes nothing when an event is delivered twice', async () => {
    const customerId = uniqueCustomer('twice');
    const booking = await bookOk({ customerId, size: 'S', ...uniquePeriod(2) });
    await api.waitForStatus(booking.id, 'CONFIRMED');
    await http('POST', `${system.url('booking')}/bookings/${booking.id}/cancel`);
    await api.waitForPayment(booking.id, 'REFUNDED');
    await api.waitForMypage(
      booking.id,
      (view) => view.paymentStatus === 'REFUNDED' && view.unitReleased,
      'settled',
    );

    // Re-publish the very same BookingCancelled (same event id), as a redelivery would.
    const sink = await collect([Topics.bookingEvents]);
    const original = await waitFor(
      'the original BookingCancelled',
      () =>
        Promise.resolve(
          sink.received.find(
            (entry) =>
              entry.message.key?.toString() === booking.id &&
              header(entry.message, 'event-type') === 'BookingCancelled',
          ),
        ),
      (entry) => entry !== undefined,
    );
    await sink.stop();
    const producer = kafka().producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: Topics.bookingEvents,
      messages: [
        { key: original!.message.key, value: original!.message.value, headers: original!.message.headers },
      ],
    });
    await producer.disconnect();
    const offset = Number(sent.baseOffset);

    for (const group of ['payment', 'storage-assign', 'mypage']) {
      await waitFor(
        `${group} to consume past the duplicate`,
        () => committedOffset(group, Topics.bookingEvents, sent.partition),
        (committed) => committed > offset,
      );
    }
    const view = (await api.mypage(booking.id)).body;
    expect(view.timeline.filter((entry) => entry.type === 'BookingCancelled')).toHaveLength(1);
    expect(view.timeline.filter((entry) => entry.type === 'PaymentRefunded')).toHaveLength(1);
    expect(view.timeline.filter((entry) => entry.type === 'StorageReleased')).toHaveLength(1);
    expect(await api.payments(booking.id)).toMatchObject([{ status: 'REFUNDED' }]);
  });

  it("names each event's cause: the event whose handling raised it", async () => {
    const sink = await collect([Topics.bookingEvents, Topics.paymentEvents, Topics.storageEvents]);
    try {
      const booking = await bookOk({ customerId: uniqueCustomer('cause'), size: 'S', ...uniquePeriod(3) });
      await api.waitForStatus(booking.id, 'CONFIRMED');
      await http('POST', `${system.url('booking')}/bookings/${booking.id}/cancel`);
      const wanted = [
        'BookingPlaced',
        'StorageAssigned',
        'BookingCancelled',
        'PaymentRefunded',
        'StorageReleased',
      ];
      const story = await waitFor(
        'the cancellation and what it caused, on Kafka',
        () =>
          Promise.resolve(
            new Map(
              sink.received
                .filter((entry) => entry.message.key?.toString() === booking.id)
                .map((entry) => {
                  const envelope = JSON.parse(entry.message.value!.toString()) as {
                    eventId: string;
                    type: string;
                    causationId: string | null;
                  };
                  expect(header(entry.message, 'event-id')).toBe(envelope.eventId);
                  return [envelope.type, envelope] as const;
                }),
            ),
          ),
        (events) => wanted.every((type) => events.has(type)),
      );
      // Requests raised the placement and the cancellation; the other services acted on those events.
      const placedEvent = story.get('BookingPlaced')!;
      const cancelled = story.get('BookingCancelled')!;
      expect(placedEvent.causationId).toBeNull();
      expect(cancelled.causationId).toBeNull();
      expect(story.get('StorageAssigned')!.causationId).toBe(placedEvent.eventId);
      expect(story.get('PaymentRefunded')!.causationId).toBe(cancelled.eventId);
      expect(story.get('StorageReleased')!.causationId).toBe(cancelled.eventId);
    } finally {
      await sink.stop();
    }
  });

  it('dead-letters a poison message and keeps consuming after it', async () => {
    const key = randomUUID();
    const dlq = await collect([`${Topics.bookingEvents}.dlq`]);
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({
      topic: Topics.bookingEvents,
      messages: [
        { key, value: 'this is not json' },
        {
          key,
          value: JSON.stringify({
            eventId: randomUUID(),
            type: 'BookingPlaced',
            version: 1,
            occurredAt: new Date().toISOString(),
            correlationId: key,
            causationId: null,
            payload: { bookingId: key, size: 'XXL' },
          }),
        },
      ],
    });
    await producer.disconnect();
    try {
      const parked = await waitFor(
        'both poison messages in the dead-letter topic, from storage-assign',
        () =>
          Promise.resolve(
            dlq.received.filter(
              (entry) =>
                entry.message.key?.toString() === key &&
                header(entry.message, 'dlq-consumer-group') === 'storage-assign',
            ),
          ),
        (entries) => entries.length === 2,
      );
      expect(header(parked[0].message, 'dlq-reason')).toMatch(
        /PoisonMessageError: Message is not a JSON event envelope/,
      );
      expect(header(parked[1].message, 'dlq-reason')).toMatch(/size: size must be one of/);
      expect(header(parked[0].message, 'dlq-original-topic')).toBe(Topics.bookingEvents);
    } finally {
      await dlq.stop();
    }
    const after = await bookOk({ customerId: uniqueCustomer('after-poison'), size: 'S', ...uniquePeriod(2) });
    await api.waitForStatus(after.id, 'CONFIRMED');
  });

  it('holds the invariants over everything this suite did', async () => {
    const settled = await waitFor(
      'every booking of the suite to reach a final state',
      () => Promise.all(placed.map((id) => api.booking(id))),
      (bookings) =>
        bookings.every((booking) =>
          ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED'].includes(booking.status),
        ),
      { timeoutMs: 60_000 },
    );
    const kept = settled.filter((booking) => ['CONFIRMED', 'COMPLETED'].includes(booking.status));
    const money = await waitFor(
      'payments to settle (refunds of rejected and cancelled bookings)',
      () => Promise.all(settled.map((booking) => api.payments(booking.id))),
      (payments) =>
        payments.every((list, index) => {
          const keep = ['CONFIRMED', 'COMPLETED'].includes(settled[index].status);
          return list.every((payment) =>
            keep ? payment.status === 'APPROVED' : payment.status !== 'APPROVED',
          );
        }),
    );
    const moneyKept = money.flat().filter((payment) => payment.status === 'APPROVED');
    expect(moneyKept.reduce((sum, payment) => sum + payment.amount, 0)).toBe(
      kept.reduce((sum, booking) => sum + booking.amount, 0),
    );

    await waitFor(
      'my page to agree with booking on every status',
      () => Promise.all(settled.map(async (booking) => (await api.mypage(booking.id)).body?.status)),
      (statuses) => statuses.every((status, index) => status === settled[index].status),
    );

    const storageDb = new Client({
      connectionString: new URL('/storage_assign', system.infra.postgresServerUrl).toString(),
    });
    await storageDb.connect();
    try {
      const [{ overlaps }] = (
        await storageDb.query<{ overlaps: number }>(
          `SELECT count(*)::int AS overlaps FROM assignment a JOIN assignment b
             ON a.unit_id = b.unit_id AND a.id < b.id AND a.period && b.period
           WHERE a.status = 'ACTIVE' AND b.status = 'ACTIVE'`,
        )
      ).rows;
      expect(overlaps).toBe(0);
    } finally {
      await storageDb.end();
    }
  });
});

import {
  BookingCancelled,
  BookingPlaced,
  BookingPlacedV1,
  MAX_CHARGE_AMOUNT_KRW,
  MAX_DAILY_RATE_KRW,
  MAX_UNIT_VERSION,
  StorageAssigned,
  StorageUnitChanged,
  type EventEnvelope,
} from '@storage/contracts';
import { PoisonMessageError } from './event-errors';
import { EventRouter } from './event-router';

const envelope = (type: string, version: number, payload: unknown): EventEnvelope<unknown> => ({
  eventId: '7c0e8a51-62a4-4b4f-9a43-1b1b6c0a1a11',
  type,
  version,
  occurredAt: '2030-01-01T00:00:00.000Z',
  correlationId: 'b-1',
  causationId: null,
  payload,
});

const placed = {
  bookingId: '0b6f3c58-8f0e-4b7e-9f58-2f1f0b7c8a01',
  customerId: 'c-1',
  size: 'S',
  startDate: '2030-02-01',
  endDate: '2030-02-11',
  amount: 30000,
  currency: 'KRW',
  paymentId: '5a0e7c31-2b8e-4c55-8d0e-7a0c0b1a2b3c',
};

const BY_ITSELF = { idempotentByItself: 'a test handler' };

/** The inbox's contract as the router uses it: the effect runs once per (consumer, event id). */
class InMemoryInbox {
  readonly applied = new Set<string>();

  async processOnce(consumer: string, envelope: EventEnvelope<unknown>, effect: () => Promise<void>) {
    const key = `${consumer}/${envelope.eventId}`;
    if (this.applied.has(key)) {
      return false;
    }
    await effect();
    this.applied.add(key);
    return true;
  }
}

describe('EventRouter', () => {
  it("applies each event once through the consumer's inbox, whatever the handler", async () => {
    const inbox = new InMemoryInbox();
    const seen: string[] = [];
    const router = new EventRouter({ inbox, consumer: 'storage-assign.booking-events' })
      .on(BookingPlaced, (payload) => Promise.resolve(seen.push(`placed ${payload.bookingId}`)))
      .on(BookingCancelled, (payload) => Promise.resolve(seen.push(`cancelled ${payload.bookingId}`)));
    const message = envelope('BookingPlaced', 1, placed);
    await router.dispatch(message);
    await router.dispatch(message);
    expect(seen).toEqual([`placed ${placed.bookingId}`]);
    expect([...inbox.applied]).toEqual([`storage-assign.booking-events/${message.eventId}`]);
  });

  it('lets a consumer without an inbox see every delivery (its effect is idempotent by itself)', async () => {
    let deliveries = 0;
    const router = new EventRouter(BY_ITSELF).on(BookingPlaced, () => Promise.resolve(deliveries++));
    const message = envelope('BookingPlaced', 1, placed);
    await router.dispatch(message);
    await router.dispatch(message);
    expect(deliveries).toBe(2);
  });

  it('hands a valid event to its handler with a typed payload', async () => {
    const seen: string[] = [];
    const router = new EventRouter(BY_ITSELF).on(BookingPlaced, (payload) => {
      seen.push(payload.size);
      return Promise.resolve();
    });
    await expect(router.dispatch(envelope('BookingPlaced', 1, placed))).resolves.toBe('handled');
    expect(seen).toEqual(['S']);
  });

  it('skips types it has no interest in', async () => {
    const router = new EventRouter(BY_ITSELF).on(BookingCancelled, () => Promise.resolve());
    await expect(router.dispatch(envelope('BookingPlaced', 1, placed))).resolves.toBe('ignored');
  });

  it('skips a type it has no interest in without reading the rest: that is for its readers to judge', async () => {
    const router = new EventRouter(BY_ITSELF).on(BookingCancelled, () => Promise.resolve());
    const broken = { ...envelope('BookingPlaced', 1, { ...placed, size: 'XL' }), eventId: 'x' };
    await expect(router.dispatch(broken)).resolves.toBe('ignored');
  });

  it.each([
    ['a string', 'not json'],
    ['an envelope without a type', { ...envelope('BookingPlaced', 1, placed), type: undefined }],
    ['an envelope whose type is not a string', { ...envelope('BookingPlaced', 1, placed), type: 7 }],
    ['an array', []],
    ['an envelope without id', { ...envelope('BookingPlaced', 1, placed), eventId: 'x' }],
    ['an unreadable version', envelope('BookingPlaced', 2, placed)],
    ['a version written as text', { ...envelope('BookingPlaced', 1, placed), version: '1' }],
    ['a payload breaking the contract', envelope('BookingPlaced', 1, { ...placed, size: 'XL' })],
  ])('treats %s as poison', async (_what, message) => {
    const router = new EventRouter(BY_ITSELF).on(BookingPlaced, () => Promise.resolve());
    await expect(router.dispatch(message)).rejects.toBeInstanceOf(PoisonMessageError);
  });

  describe('values no publisher sends (past what its own API accepts, or a consumer can store)', () => {
    const unit = {
      unitId: '3f1c2b7a-5d4e-4c3b-9a2f-1e0d9c8b7a65',
      code: 'S-001',
      size: 'S',
      status: 'AVAILABLE',
      dailyRate: 3000,
    };
    const assigned = {
      bookingId: placed.bookingId,
      unitId: unit.unitId,
      unitCode: 'S-001',
      size: 'S',
      startDate: '2030-02-01',
      endDate: '2030-02-11',
      reassigned: false,
    };
    const router = () =>
      new EventRouter(BY_ITSELF)
        .on(BookingPlaced, () => Promise.resolve())
        .on(StorageUnitChanged, () => Promise.resolve())
        .on(StorageAssigned, () => Promise.resolve());

    // Before, these passed the contract and failed in the consumer's database (an int column, a
    // varchar(40) or (100)): five attempts as an unknown error, then the dead letters with an alert.
    it.each([
      ['a daily rate past any int column', envelope('StorageUnitChanged', 1, { ...unit, dailyRate: 1e300 })],
      [
        'a daily rate past the highest one',
        envelope('StorageUnitChanged', 1, { ...unit, dailyRate: MAX_DAILY_RATE_KRW + 1 }),
      ],
      ['a unit code of 41 characters', envelope('StorageUnitChanged', 1, { ...unit, code: 'S'.repeat(41) })],
      [
        'a unit version past an int column',
        envelope('StorageUnitChanged', 1, { ...unit, unitVersion: MAX_UNIT_VERSION + 1 }),
      ],
      ['a unit version of 0', envelope('StorageUnitChanged', 1, { ...unit, unitVersion: 0 })],
      ['a unit code with a space', envelope('StorageAssigned', 1, { ...assigned, unitCode: 'S 001' })],
      [
        'an amount past any charge',
        envelope('BookingPlaced', 1, { ...placed, amount: MAX_CHARGE_AMOUNT_KRW + 1 }),
      ],
      ['a customer id no token subject has', envelope('BookingPlaced', 1, { ...placed, customerId: 'c 1' })],
      [
        'a customer id of 101 characters',
        envelope('BookingPlaced', 1, { ...placed, customerId: 'c'.repeat(101) }),
      ],
    ])('treats %s as poison', async (_what, message) => {
      await expect(router().dispatch(message)).rejects.toBeInstanceOf(PoisonMessageError);
    });

    it('takes every value up to those bounds', async () => {
      const edge = [
        envelope('StorageUnitChanged', 1, {
          ...unit,
          code: `S-${'9'.repeat(38)}`,
          dailyRate: MAX_DAILY_RATE_KRW,
          unitVersion: MAX_UNIT_VERSION,
        }),
        envelope('StorageAssigned', 1, { ...assigned, unitCode: `S-${'9'.repeat(38)}` }),
        envelope('BookingPlaced', 1, {
          ...placed,
          amount: MAX_CHARGE_AMOUNT_KRW,
          customerId: 'c'.repeat(100),
        }),
      ];
      for (const message of edge) {
        await expect(router().dispatch(message)).resolves.toBe('handled');
      }
    });
  });

  it('names the offending fields', async () => {
    const router = new EventRouter(BY_ITSELF).on(BookingPlaced, () => Promise.resolve());
    await expect(router.dispatch(envelope('BookingPlaced', 1, { ...placed, amount: -1 }))).rejects.toThrow(
      /amount: amount must not be less than 0/,
    );
    // A value of the wrong type is named for that alone, not also for a range.
    const wrongType = router.dispatch(envelope('BookingPlaced', 1, { ...placed, amount: 'lots' }));
    await expect(wrongType).rejects.toThrow(/amount: amount must be an integer number/);
    await expect(wrongType).rejects.not.toThrow(/less than|greater than/);
  });

  it('reads a "__proto__" key as a field: the payload keeps its contract\'s prototype', async () => {
    const seen: object[] = [];
    const router = new EventRouter(BY_ITSELF).on(BookingPlaced, (payload) =>
      Promise.resolve(seen.push(payload)),
    );
    const message = JSON.parse(
      JSON.stringify(envelope('BookingPlaced', 1, placed)).replace(
        '"payload":{',
        '"payload":{"__proto__":{"amount":-1},',
      ),
    ) as unknown;
    await expect(router.dispatch(message)).resolves.toBe('handled');
    expect(Object.getPrototypeOf(seen[0])).toBe(BookingPlacedV1.prototype);
    expect(seen[0]).toMatchObject({ amount: placed.amount });
    expect(Object.keys(seen[0])).toContain('__proto__');
  });
});

import { TransientFaults, type RentalPeriod, type UnitOfWork } from '@storage/ddd';
import {
  AmountTooLargeError,
  BookingInProgressError,
  IdempotencyKeyReusedError,
  NoUnitAvailableError,
  PaymentDeclinedError,
  PaymentUnavailableError,
  SizeNotOfferedError,
  StartDateInPastError,
  Booking,
  bookablePeriod,
  type BookingEvent,
  type BookingSnapshot,
  type UnitSize,
} from '../../domain';
import { Availability } from '../ports/availability.port';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { Catalogue } from '../ports/catalogue.port';
import {
  PaymentGateway,
  type ChargeRequest,
  type ChargeResult,
  type PaymentSlot,
} from '../ports/payment-gateway.port';
import { RecentBookings } from '../recent-bookings';
import { PlaceBookingCommand } from './place-booking.command';
import { PlaceBookingHandler } from './place-booking.handler';

class FixedCatalogue extends Catalogue {
  reads = 0;
  constructor(private readonly rates: Partial<Record<UnitSize, number>>) {
    super();
  }
  dailyRate(size: UnitSize) {
    this.reads += 1;
    return Promise.resolve(this.rates[size] ?? null);
  }
  upsert() {
    return Promise.resolve();
  }
}

class CountedAvailability extends Availability {
  readonly asked: RentalPeriod[] = [];
  free: number | null = 3;
  freeUnits(_size: UnitSize, period: RentalPeriod) {
    this.asked.push(period);
    return Promise.resolve(this.free);
  }
}

/** Payment behind its door: refuses there while `doorClosed` is set, else answers each charge. */
class ScriptedPayment extends PaymentGateway {
  doorClosed: PaymentUnavailableError | undefined;
  answer: (request: ChargeRequest) => Promise<ChargeResult> = () =>
    Promise.resolve({ outcome: 'approved', paymentId: `pay-${this.charges.length}` });
  readonly charges: ChargeRequest[] = [];
  slotsTaken = 0;
  slotsReleased = 0;

  reserve(): Promise<PaymentSlot> {
    if (this.doorClosed) {
      return Promise.reject(this.doorClosed);
    }
    this.slotsTaken += 1;
    return Promise.resolve({
      charge: (request) => {
        this.charges.push(request);
        return this.answer(request);
      },
      release: () => {
        this.slotsReleased += 1;
      },
    });
  }
}

const unitOfWork: UnitOfWork = { run: (work) => work() };

/** What the database adapter throws while the server is briefly unreachable. */
class DatabaseBlip extends Error {}

/** Bookings whose next writes fail as told: before writing, or after (a commit whose reply was lost). */
class FlakyBookings extends InMemoryBookings {
  readonly failures: ('before' | 'after')[] = [];

  override save(booking: Booking) {
    return this.flaky(() => super.save(booking));
  }
  override saveIfUnchanged(booking: Booking, seen: Pick<BookingSnapshot, 'status' | 'updatedAt'>) {
    return this.flaky(() => super.saveIfUnchanged(booking, seen));
  }

  private async flaky<T>(write: () => Promise<T>): Promise<T> {
    const failure = this.failures.shift();
    if (failure === 'before') {
      throw new DatabaseBlip('connect ECONNREFUSED');
    }
    const result = await write();
    if (failure === 'after') {
      throw new DatabaseBlip('Connection terminated unexpectedly');
    }
    return result;
  }
}

/** Waits out a DatabaseBlip for up to `attempts` tries in all, as the adapter does by its deadline. */
class CountedFaults extends TransientFaults {
  readonly patience: number[] = [];
  attempts = 5;

  async waitOut<T>(work: (attempt: number) => Promise<T>, withinMs: number): Promise<T> {
    this.patience.push(withinMs);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work(attempt);
      } catch (error) {
        if (!(error instanceof DatabaseBlip) || attempt >= this.attempts) {
          throw error;
        }
      }
    }
  }
}

const RULES = {
  maxRentalDays: 365,
  maxAmount: 1_000_000,
  recordPaymentWithinMs: 4000,
  resumePendingAfterMs: 15_000,
};

function setUp() {
  const bookings = new FlakyBookings();
  const faults = new CountedFaults();
  const catalogue = new FixedCatalogue({ S: 1000, M: 5000 });
  const availability = new CountedAvailability();
  const payment = new ScriptedPayment();
  const recent = new RecentBookings();
  const handler = new PlaceBookingHandler(
    bookings,
    catalogue,
    availability,
    payment,
    unitOfWork,
    recent,
    faults,
    RULES,
  );
  const place = (terms: Partial<PlaceBookingCommand> = {}) => {
    const { customerId, size, startDate, endDate, paymentMethod, idempotencyKey } = {
      customerId: 'alice',
      size: 'S' as const,
      startDate: '2099-03-01',
      endDate: '2099-03-11',
      paymentMethod: 'card',
      idempotencyKey: null,
      ...terms,
    };
    return handler.execute(
      new PlaceBookingCommand(customerId, size, startDate, endDate, paymentMethod, idempotencyKey),
    );
  };
  return { bookings, catalogue, availability, payment, recent, faults, place };
}

const eventTypes = (events: BookingEvent[]) => events.map((event) => event.type);

describe('PlaceBookingHandler', () => {
  it('accepts a paid booking: one charge for the price, PAID with BookingPlaced, the slot given back', async () => {
    const { bookings, availability, payment, recent, place } = setUp();
    const { booking, created } = await place();
    expect(created).toBe(true);
    expect(booking).toMatchObject({ status: 'PAID', amount: 10_000, days: 10, paymentId: 'pay-1' });
    expect(payment.charges).toEqual([
      { bookingId: booking.id, customerId: 'alice', amount: 10_000, method: 'card' },
    ]);
    expect(availability.asked).toHaveLength(1);
    expect(bookings.rows.get(booking.id)?.status).toBe('PAID');
    expect(eventTypes(bookings.outbox)).toEqual(['BookingPlaced']);
    expect(payment.slotsReleased).toBe(payment.slotsTaken);
    // Kept in hand for storage-assign's answer.
    expect(recent.take(booking.id)?.status).toBe('PAID');
  });

  it('waits out a database that is briefly unreachable when recording an approved payment: PAID, not a 503', async () => {
    const { bookings, payment, faults, place } = setUp();
    // The first save fails in the conditional statement, the retry's locked save once more.
    bookings.failures.push('before', 'before');
    const { booking } = await place();
    expect(booking.status).toBe('PAID');
    expect(faults.patience).toEqual([4000]);
    expect(bookings.rows.get(booking.id)?.status).toBe('PAID');
    expect(eventTypes(bookings.outbox)).toEqual(['BookingPlaced']);
    expect(payment.charges).toHaveLength(1);
  });

  it('records the payment once when an attempt committed but its reply was lost', async () => {
    const { bookings, place } = setUp();
    bookings.failures.push('after');
    const { booking } = await place();
    expect(booking).toMatchObject({ status: 'PAID', paymentId: 'pay-1' });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingPlaced']);
  });

  it('waits out the blip when recording a decline too: 402 with its reason, not a 503, recorded once', async () => {
    const { bookings, payment, place } = setUp();
    payment.answer = () =>
      Promise.resolve({ outcome: 'declined', paymentId: 'pay-9', reason: 'CARD_EXPIRED' });
    // The first attempt commits but its reply is lost: the retry finds the decline recorded.
    bookings.failures.push('after');
    await expect(place()).rejects.toMatchObject({ status: 402, details: { reason: 'CARD_EXPIRED' } });
    const [row] = [...bookings.rows.values()];
    expect(row).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
  });

  it('waits out the blip when payment gave no answer: the key is freed at once, not after the sweep', async () => {
    const { bookings, payment, place } = setUp();
    const timedOut = new PaymentUnavailableError(1, 'timeout');
    payment.answer = () => Promise.reject(timedOut);
    bookings.failures.push('before', 'before');
    await expect(place({ idempotencyKey: 'k-1' })).rejects.toBe(timedOut);
    const [row] = [...bookings.rows.values()];
    expect(row).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_UNAVAILABLE',
      idempotencyKey: null,
    });
  });

  it('gives up once its patience is spent: the failure goes to the caller, the booking stays for the sweep', async () => {
    const { bookings, faults, place } = setUp();
    faults.attempts = 2;
    bookings.failures.push('before', 'before', 'before');
    await expect(place()).rejects.toBeInstanceOf(DatabaseBlip);
    const [row] = [...bookings.rows.values()];
    expect(row.status).toBe('PAYMENT_PENDING');
    expect(bookings.outbox).toEqual([]);
  });

  it.each([
    ['circuit-open', undefined],
    ['overloaded', 50],
  ])(
    'refuses at the payment door (%s) before anything: no price read, no availability, no row, no event',
    async (cause, holdMs) => {
      const { bookings, catalogue, availability, payment, place } = setUp();
      const refusal = new PaymentUnavailableError(2, cause, holdMs);
      payment.doorClosed = refusal;
      await expect(place()).rejects.toBe(refusal);
      expect(catalogue.reads).toBe(0);
      expect(availability.asked).toHaveLength(0);
      expect(payment.charges).toHaveLength(0);
      expect(bookings.writes).toBe(0);
      expect(bookings.outbox).toHaveLength(0);
    },
  );

  it('records a declined charge as REJECTED with its reason and answers 402, accepting nothing', async () => {
    const { bookings, payment, recent, place } = setUp();
    payment.answer = () =>
      Promise.resolve({ outcome: 'declined', paymentId: 'pay-9', reason: 'CARD_EXPIRED' });
    const declined = place();
    await expect(declined).rejects.toBeInstanceOf(PaymentDeclinedError);
    await expect(declined).rejects.toMatchObject({ status: 402 });
    const [row] = [...bookings.rows.values()];
    expect(row).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_DECLINED',
      paymentDeclineReason: 'CARD_EXPIRED',
      paymentId: 'pay-9',
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
    expect(recent.take(row.id)).toBeUndefined();
    expect(payment.slotsReleased).toBe(1);
  });

  it('rejects a booking whose charge got no answer, frees its key and announces it so a late charge is refunded', async () => {
    const { bookings, payment, place } = setUp();
    const timedOut = new PaymentUnavailableError(1, 'timeout');
    payment.answer = () => Promise.reject(timedOut);
    const terms = { idempotencyKey: 'retry-me-later' };
    await expect(place(terms)).rejects.toBe(timedOut);
    const [row] = [...bookings.rows.values()];
    expect(row).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_UNAVAILABLE',
      idempotencyKey: null,
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
    expect(payment.slotsReleased).toBe(1);

    // The same request under the same key, once payment answers, is a new booking.
    payment.answer = () => Promise.resolve({ outcome: 'approved', paymentId: 'pay-2' });
    const retried = await place(terms);
    expect(retried.created).toBe(true);
    expect(retried.booking.id).not.toBe(row.id);
    expect(retried.booking.status).toBe('PAID');
  });

  it('refuses a period with no free unit before writing or charging anything', async () => {
    const { bookings, availability, payment, place } = setUp();
    availability.free = 0;
    await expect(place()).rejects.toBeInstanceOf(NoUnitAvailableError);
    expect(payment.charges).toHaveLength(0);
    expect(bookings.writes).toBe(0);
    expect(payment.slotsReleased).toBe(payment.slotsTaken);
  });

  it('goes ahead when availability cannot tell (storage-assign slow or down): assignment decides', async () => {
    const { availability, place } = setUp();
    availability.free = null;
    const { booking } = await place();
    expect(booking.status).toBe('PAID');
  });

  it('refuses a size not offered and a price above one charge, without asking availability or writing', async () => {
    const { bookings, availability, payment, place } = setUp();
    await expect(place({ size: 'L' })).rejects.toBeInstanceOf(SizeNotOfferedError);
    // 5,000 KRW a day for 365 days is over the 1,000,000 KRW one charge may carry here.
    await expect(place({ size: 'M', startDate: '2099-01-01', endDate: '2100-01-01' })).rejects.toBeInstanceOf(
      AmountTooLargeError,
    );
    expect(availability.asked).toHaveLength(0);
    expect(bookings.writes).toBe(0);
    expect(payment.slotsTaken).toBe(2);
    expect(payment.slotsReleased).toBe(2);
  });

  it('refuses a period in the past before taking a payment slot', async () => {
    const { payment, place } = setUp();
    await expect(place({ startDate: '2001-01-01', endDate: '2001-01-05' })).rejects.toBeInstanceOf(
      StartDateInPastError,
    );
    expect(payment.slotsTaken).toBe(0);
  });

  describe('with an Idempotency-Key', () => {
    const key = { idempotencyKey: 'order-42' };

    it('answers a repeat with the booking it made, charging and writing nothing more', async () => {
      const { bookings, payment, place } = setUp();
      const first = await place(key);
      const writes = bookings.writes;
      const repeat = await place(key);
      expect(repeat).toEqual({ booking: first.booking, created: false });
      expect(payment.charges).toHaveLength(1);
      expect(payment.slotsTaken).toBe(1);
      expect(bookings.writes).toBe(writes);
    });

    it('answers a repeat even while payment refuses at its door: the booking exists', async () => {
      const { payment, place } = setUp();
      const first = await place(key);
      payment.doorClosed = new PaymentUnavailableError(2, 'circuit-open');
      expect((await place(key)).booking.id).toBe(first.booking.id);
    });

    it('refuses the same key with other terms, naming them', async () => {
      const { place } = setUp();
      await place(key);
      const reused = place({ ...key, endDate: '2099-03-12', size: 'M' });
      await expect(reused).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      await expect(reused).rejects.toMatchObject({ details: { mismatched: ['size', 'endDate'] } });
    });

    it('says a repeat of a request still waiting for payment is in progress (409), not a second booking', async () => {
      const { bookings, payment, place } = setUp();
      let answer!: (result: ChargeResult) => void;
      // Resolved once the first request reaches payment: its booking is written by then.
      const charging = new Promise<void>((reached) => {
        payment.answer = () => {
          reached();
          return new Promise((resolve) => (answer = resolve));
        };
      });
      const first = place(key);
      await charging;
      const repeat = place(key);
      await expect(repeat).rejects.toBeInstanceOf(BookingInProgressError);
      // Answered 409 with Retry-After: the client asks again for the first request's answer.
      await expect(repeat).rejects.toMatchObject({ status: 409, retryAfterSeconds: 1 });
      answer({ outcome: 'approved', paymentId: 'pay-1' });
      expect((await first).booking.status).toBe('PAID');
      expect(bookings.rows.size).toBe(1);
    });

    /** A booking its request left waiting for payment `ageMs` ago (its process killed mid-call). */
    async function abandoned(
      bookings: InMemoryBookings,
      ageMs: number,
      size: UnitSize = 'S',
    ): Promise<string> {
      const since = new Date(Date.now() - ageMs);
      const { booking } = await bookings.insert(
        Booking.request(
          {
            customerId: 'alice',
            size,
            period: bookablePeriod('2099-03-01', '2099-03-11', 365),
            dailyRate: 1000,
            idempotencyKey: key.idempotencyKey,
          },
          since,
        ),
      );
      return booking.id;
    }

    it('takes over a booking its request abandoned mid-payment: charged under the same id, PAID, 201', async () => {
      const { bookings, payment, place } = setUp();
      const id = await abandoned(bookings, 20_000);
      const { booking, created } = await place(key);
      expect({ id: booking.id, status: booking.status, created }).toEqual({
        id,
        status: 'PAID',
        created: true,
      });
      // Payment's idempotency key is the booking id: a charge that landed before the crash is
      // answered again, not made twice.
      expect(payment.charges).toEqual([
        { bookingId: id, customerId: 'alice', amount: 10_000, method: 'card' },
      ]);
      expect(eventTypes(bookings.outbox)).toEqual(['BookingPlaced']);
      expect(payment.slotsReleased).toBe(payment.slotsTaken);
    });

    it('still says "in progress" while the booking is younger than a request lives', async () => {
      const { bookings, payment, place } = setUp();
      await abandoned(bookings, 5_000);
      await expect(place(key)).rejects.toBeInstanceOf(BookingInProgressError);
      expect(payment.charges).toEqual([]);
    });

    it('refuses to take one over under other terms', async () => {
      const { bookings, payment, place } = setUp();
      await abandoned(bookings, 20_000, 'M');
      await expect(place(key)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect(payment.charges).toEqual([]);
    });

    it('records "no answer" for a taken-over booking when payment still gives none: key freed, 503', async () => {
      const { bookings, payment, place } = setUp();
      const id = await abandoned(bookings, 20_000);
      const timedOut = new PaymentUnavailableError(1, 'timeout');
      payment.answer = () => Promise.reject(timedOut);
      await expect(place(key)).rejects.toBe(timedOut);
      expect(bookings.rows.get(id)).toMatchObject({ status: 'REJECTED', idempotencyKey: null });
    });

    it('repeats a decline for a repeat of a declined request', async () => {
      const { payment, place } = setUp();
      payment.answer = () =>
        Promise.resolve({ outcome: 'declined', paymentId: null, reason: 'INSUFFICIENT_FUNDS' });
      await expect(place(key)).rejects.toBeInstanceOf(PaymentDeclinedError);
      payment.answer = () => Promise.resolve({ outcome: 'approved', paymentId: 'pay-2' });
      const repeated = place(key);
      await expect(repeated).rejects.toBeInstanceOf(PaymentDeclinedError);
      await expect(repeated).rejects.toMatchObject({ details: { reason: 'INSUFFICIENT_FUNDS' } });
      expect(payment.charges).toHaveLength(1);
    });
  });
});

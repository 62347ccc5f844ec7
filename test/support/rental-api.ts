import { randomBytes, randomInt } from 'node:crypto';
import { http, type HttpResult } from './http';
import type { System } from './system';
import { waitFor } from './wait-for';

export interface BookingBody {
  id: string;
  customerId: string;
  size: string;
  startDate: string;
  endDate: string;
  amount: number;
  status: string;
  paymentId: string | null;
  unitId: string | null;
  unitCode: string | null;
  rejectionReason: string | null;
  cancellationReason: string | null;
}

export interface PaymentBody {
  id: string;
  bookingId: string;
  amount: number;
  status: string;
}

export interface UnitBody {
  id: string;
  code: string;
  size: string;
  status: string;
}

export interface MypageBody {
  bookingId: string;
  customerId: string | null;
  status: string | null;
  paymentStatus: string | null;
  unitCode: string | null;
  unitReleased: boolean;
  timeline: { eventId: string; type: string }[];
}

export function uniqueCustomer(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function uniqueCode(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toUpperCase();
}

/**
 * Days from 2200-01-01 where this test file's next period starts: a random place per file (another
 * suite or an earlier run on the same database is elsewhere, but for chance), then one period after
 * the other, so that no two periods of one file ever overlap. Drawn each at random, two did: a
 * booking of one test held the only unit the next test's "every unit full" period needed.
 */
let nextDay = randomInt(0, 250_000);

/** A period no other test of this file (nor, but for chance, another suite) uses: far future. */
export function uniquePeriod(days = 10): { startDate: string; endDate: string } {
  const start = Date.UTC(2200, 0, 1) + nextDay * 86_400_000;
  nextDay += days + 1;
  return {
    startDate: new Date(start).toISOString().slice(0, 10),
    endDate: new Date(start + days * 86_400_000).toISOString().slice(0, 10),
  };
}

/** The business APIs of the services, as a client would call them (no gateway in between). */
export class RentalApi {
  constructor(private readonly system: System) {}

  async registerUnit(size: 'S' | 'M' | 'L', dailyRate = 1000): Promise<UnitBody> {
    const response = await http<UnitBody>('POST', `${this.system.url('storage-assign')}/storage-units`, {
      body: { code: uniqueCode(size), size, dailyRate },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Booking prices from its own catalogue, fed by inventory events: wait until it knows the rate. */
  async waitForPrice(size: string, atLeast: number): Promise<void> {
    const { startDate, endDate } = uniquePeriod(1);
    await waitFor(
      `booking to price size ${size} at ${atLeast} KRW/day or more`,
      () =>
        http<{ dailyRate: number }>(
          'GET',
          `${this.system.url('booking')}/quotes?size=${size}&startDate=${startDate}&endDate=${endDate}`,
        ),
      (response) => response.status === 200 && response.body.dailyRate >= atLeast,
    );
  }

  book(
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<BookingBody & { error?: string; message?: string }>> {
    return http('POST', `${this.system.url('booking')}/bookings`, { body, headers });
  }

  async booking(id: string): Promise<BookingBody> {
    const response = await http<BookingBody>('GET', `${this.system.url('booking')}/bookings/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async bookingsOf(customerId: string): Promise<BookingBody[]> {
    const response = await http<BookingBody[]>(
      'GET',
      `${this.system.url('booking')}/bookings?customerId=${encodeURIComponent(customerId)}`,
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  waitForStatus(id: string, status: string, timeoutMs = 30_000): Promise<BookingBody> {
    return waitFor(
      `booking ${id} to be ${status}`,
      () => this.booking(id),
      (booking) => booking.status === status,
      {
        timeoutMs,
      },
    );
  }

  async payments(bookingId: string): Promise<PaymentBody[]> {
    const response = await http<PaymentBody[]>(
      'GET',
      `${this.system.url('payment')}/payments?bookingId=${bookingId}`,
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  waitForPayment(bookingId: string, status: string): Promise<PaymentBody[]> {
    return waitFor(
      `payment of ${bookingId} to be ${status}`,
      () => this.payments(bookingId),
      (payments) => payments.length === 1 && payments[0].status === status,
    );
  }

  mypage(id: string): Promise<HttpResult<MypageBody>> {
    return http<MypageBody>('GET', `${this.system.url('mypage')}/mypage/bookings/${id}`);
  }

  waitForMypage(id: string, accept: (view: MypageBody) => boolean, what: string): Promise<MypageBody> {
    return waitFor(
      `my page of ${id}: ${what}`,
      async () => (await this.mypage(id)).body,
      (view) => view !== undefined && accept(view),
    );
  }

  async notices(customerId: string): Promise<{ bookingId: string; kind: string; message: string }[]> {
    const response = await http<{ bookingId: string; kind: string; message: string }[]>(
      'GET',
      `${this.system.url('mypage')}/mypage/notices?customerId=${encodeURIComponent(customerId)}`,
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  async freeUnits(size: string, from: string, to: string): Promise<number> {
    const response = await http<{ sizes: { size: string; freeUnits: number }[] }>(
      'GET',
      `${this.system.url('storage-assign')}/availability?size=${size}&from=${from}&to=${to}`,
    );
    expect(response.status).toBe(200);
    return response.body.sizes[0].freeUnits;
  }
}

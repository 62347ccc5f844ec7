import { Booking, type BookingEvent, type BookingSnapshot, type BookingStatus } from '../../domain';
import { BookingRepository, type BookingFilter } from './booking.repository.port';

/**
 * Bookings as rows, and the events each write carried (the outbox), for handler tests: what the
 * TypeORM repository does, without a database. Counts its writes and locked reads.
 */
export class InMemoryBookings extends BookingRepository {
  readonly rows = new Map<string, BookingSnapshot>();
  readonly outbox: BookingEvent[] = [];
  writes = 0;
  lockedReads = 0;

  findById(id: string, options?: { lock: boolean }) {
    if (options?.lock) {
      this.lockedReads += 1;
    }
    const row = this.rows.get(id);
    return Promise.resolve(row ? Booking.restore(row) : null);
  }
  findByIdempotencyKey(customerId: string, key: string) {
    const row = [...this.rows.values()].find(
      (booking) => booking.customerId === customerId && booking.idempotencyKey === key,
    );
    return Promise.resolve(row ? Booking.restore(row) : null);
  }
  list(filter: BookingFilter) {
    return Promise.resolve(
      [...this.rows.values()]
        .filter((row) => (filter.customerId ?? row.customerId) === row.customerId)
        .filter((row) => (filter.status ?? row.status) === row.status)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(filter.offset, filter.offset + filter.limit)
        .map((row) => Booking.restore(row)),
    );
  }
  async insert(booking: Booking) {
    const { customerId, idempotencyKey } = booking.snapshot();
    const existing = idempotencyKey ? await this.findByIdempotencyKey(customerId, idempotencyKey) : null;
    if (existing) {
      return { booking: existing, inserted: false };
    }
    this.write(booking);
    return { booking, inserted: true };
  }
  save(booking: Booking) {
    this.write(booking);
    return Promise.resolve();
  }
  saveIfUnchanged(booking: Booking, seen: Pick<BookingSnapshot, 'status' | 'updatedAt'>) {
    const row = this.rows.get(booking.id);
    if (row?.status !== seen.status || row.updatedAt.getTime() !== seen.updatedAt.getTime()) {
      return Promise.resolve(false);
    }
    this.write(booking);
    return Promise.resolve(true);
  }
  lockStalePaymentPending(before: Date, limit: number) {
    return Promise.resolve(this.oldest('PAYMENT_PENDING', 'createdAt', before, limit));
  }
  lockStalledPaid(before: Date, limit: number) {
    return Promise.resolve(this.oldest('PAID', 'updatedAt', before, limit));
  }

  private oldest(
    status: BookingStatus,
    since: 'createdAt' | 'updatedAt',
    before: Date,
    limit: number,
  ): Booking[] {
    return [...this.rows.values()]
      .filter((row) => row.status === status && row[since] < before)
      .sort((a, b) => a[since].getTime() - b[since].getTime())
      .slice(0, limit)
      .map((row) => Booking.restore(row));
  }

  private write(booking: Booking): void {
    this.writes += 1;
    this.rows.set(booking.id, booking.snapshot());
    this.outbox.push(...booking.pullEvents());
  }
}

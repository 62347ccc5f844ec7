import { Payment, type PaymentDomainEvent, type PaymentStatus } from '../../domain';
import { PaymentRepository, type PaymentFilter } from './payment.repository.port';

/**
 * Payments as rows, one per booking, and the events each write carried (the outbox), for handler
 * tests: what the TypeORM repository does, without a database.
 */
export class InMemoryPayments extends PaymentRepository {
  readonly rows = new Map<string, Payment>();
  readonly outbox: PaymentDomainEvent[] = [];

  findById(id: string) {
    const row = [...this.rows.values()].find((payment) => payment.id === id);
    return Promise.resolve(row ? Payment.restore(row.snapshot()) : null);
  }
  findByBookingId(bookingId: string) {
    const row = this.rows.get(bookingId);
    return Promise.resolve(row ? Payment.restore(row.snapshot()) : null);
  }
  list(filter: PaymentFilter) {
    return Promise.resolve([...this.rows.values()].slice(filter.offset, filter.offset + filter.limit));
  }
  insertOrGetExisting(payment: Payment) {
    const existing = this.rows.get(payment.bookingId);
    if (existing) {
      return Promise.resolve({ payment: Payment.restore(existing.snapshot()), inserted: false });
    }
    this.write(payment);
    return Promise.resolve({ payment, inserted: true });
  }
  save(payment: Payment) {
    this.write(payment);
    return Promise.resolve();
  }
  saveIfUnchanged(payment: Payment, seen: { status: PaymentStatus }) {
    if (this.rows.get(payment.bookingId)?.status !== seen.status) {
      return Promise.resolve(false);
    }
    this.write(payment);
    return Promise.resolve(true);
  }
  findUnreconciledApprovedBefore() {
    return Promise.resolve([]);
  }
  markReconciled() {
    return Promise.resolve();
  }
  findPendingCreatedBefore(before: Date) {
    return Promise.resolve(
      [...this.rows.values()].filter(
        (payment) => payment.status === 'PENDING' && payment.snapshot().createdAt < before,
      ),
    );
  }

  private write(payment: Payment): void {
    this.rows.set(payment.bookingId, Payment.restore(payment.snapshot()));
    this.outbox.push(...payment.pullEvents());
  }
}

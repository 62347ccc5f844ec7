import { Payment, type PaymentDomainEvent, type PaymentSnapshot, type PaymentStatus } from '../../domain';
import { PaymentRepository, type PaymentFilter } from './payment.repository.port';

/**
 * Payments as rows, one per booking, and the events each write carried (the outbox), for handler
 * tests: what the TypeORM repository does, without a database.
 */
export class InMemoryPayments extends PaymentRepository {
  readonly rows = new Map<string, Payment>();
  readonly outbox: PaymentDomainEvent[] = [];
  /** Per booking: kept (never asked about again), or when it was last asked about and left open. */
  readonly reconciled = new Map<string, 'kept' | Date>();
  /** The database's clock, which stamps when a row was asked about. */
  clock = () => new Date();

  findById(id: string) {
    const row = [...this.rows.values()].find((payment) => payment.id === id);
    return Promise.resolve(row ? Payment.restore(row.snapshot()) : null);
  }
  findByBookingId(bookingId: string) {
    const row = this.rows.get(bookingId);
    return Promise.resolve(row ? Payment.restore(row.snapshot()) : null);
  }
  list(filter: PaymentFilter) {
    return Promise.resolve(
      [...this.rows.values()]
        .map((payment) => payment.snapshot())
        .filter((row) => (filter.bookingId ?? row.bookingId) === row.bookingId)
        .filter((row) => (filter.customerId ?? row.customerId) === row.customerId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(filter.offset, filter.offset + filter.limit)
        .map((row) => Payment.restore(row)),
    );
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
  findUnreconciledApprovedBefore(before: Date, limit: number) {
    const askedAt = (payment: PaymentSnapshot) => this.reconciled.get(payment.bookingId) ?? payment.createdAt;
    return Promise.resolve(
      [...this.rows.values()]
        .map((payment) => payment.snapshot())
        .filter((payment) => payment.status === 'APPROVED' && payment.createdAt < before)
        .filter((payment) => {
          const asked = askedAt(payment);
          return asked !== 'kept' && asked < before;
        })
        .sort((a, b) => Number(askedAt(a)) - Number(askedAt(b)))
        .slice(0, limit)
        .map((payment) => Payment.restore(payment)),
    );
  }
  markReconciled(bookingId: string, outcome: 'kept' | 'open') {
    this.reconciled.set(bookingId, outcome === 'kept' ? 'kept' : this.clock());
    return Promise.resolve();
  }
  findPendingCreatedBefore(before: Date, limit: number) {
    return Promise.resolve(
      [...this.rows.values()]
        .map((payment) => payment.snapshot())
        .filter((payment) => payment.status === 'PENDING' && payment.createdAt < before)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, limit)
        .map((payment) => Payment.restore(payment)),
    );
  }

  private write(payment: Payment): void {
    this.rows.set(payment.bookingId, Payment.restore(payment.snapshot()));
    this.outbox.push(...payment.pullEvents());
  }
}

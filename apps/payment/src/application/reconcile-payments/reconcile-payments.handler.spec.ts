import type { BookingStatusName } from '@storage/contracts';
import { Payment } from '../../domain';
import { BookingStatuses } from '../ports/booking-statuses.port';
import { PaymentRepository } from '../ports/payment.repository.port';
import { ReconcilePaymentsHandler } from './reconcile-payments.handler';
import { ReconcilePaymentsCommand } from './reconcile-payments.command';

class Payments extends PaymentRepository {
  readonly rows = new Map<string, Payment>();
  readonly reconciled = new Set<string>();
  readonly askedAgainLater = new Set<string>();
  findById() {
    return Promise.resolve(null);
  }
  findByBookingId(bookingId: string) {
    const row = this.rows.get(bookingId);
    return Promise.resolve(row ? Payment.restore(row.snapshot()) : null);
  }
  list() {
    return Promise.resolve([]);
  }
  insertOrGetExisting(payment: Payment) {
    return Promise.resolve({ payment, inserted: true });
  }
  save(payment: Payment) {
    this.rows.set(payment.bookingId, Payment.restore(payment.snapshot()));
    return Promise.resolve();
  }
  saveIfUnchanged(): Promise<boolean> {
    throw new Error('reconciliation changes a payment only under its lock');
  }
  findPendingCreatedBefore() {
    return Promise.resolve([]);
  }
  findUnreconciledApprovedBefore() {
    return Promise.resolve(
      [...this.rows.values()].filter(
        (row) => row.status === 'APPROVED' && !this.reconciled.has(row.bookingId),
      ),
    );
  }
  markReconciled(bookingId: string, outcome: 'kept' | 'open') {
    (outcome === 'kept' ? this.reconciled : this.askedAgainLater).add(bookingId);
    return Promise.resolve();
  }
}

class Statuses extends BookingStatuses {
  constructor(private readonly statuses: Record<string, BookingStatusName | null>) {
    super();
  }
  statusOf(bookingId: string) {
    return Promise.resolve(this.statuses[bookingId] ?? null);
  }
}

const unitOfWork = { run: <T>(work: () => Promise<T>) => work() };

function approved(bookingId: string): Payment {
  const payment = Payment.intend({ bookingId, customerId: 'c', amount: 1000, method: 'card' });
  payment.settle({ approved: true });
  return payment;
}

describe('ReconcilePaymentsHandler', () => {
  it('refunds money kept for bookings booking rejected or cancelled, and stops asking about kept ones', async () => {
    const payments = new Payments();
    for (const id of ['rejected', 'cancelled', 'confirmed', 'paid', 'unknown']) {
      payments.rows.set(id, approved(id));
    }
    const handler = new ReconcilePaymentsHandler(
      payments,
      new Statuses({ rejected: 'REJECTED', cancelled: 'CANCELLED', confirmed: 'CONFIRMED', paid: 'PAID' }),
      unitOfWork,
    );
    expect(await handler.execute(new ReconcilePaymentsCommand(0))).toBe(2);
    expect(payments.rows.get('rejected')?.snapshot()).toMatchObject({
      status: 'REFUNDED',
      refundReason: 'BOOKING_REJECTED',
    });
    expect(payments.rows.get('cancelled')?.status).toBe('REFUNDED');
    expect(payments.rows.get('confirmed')?.status).toBe('APPROVED');
    expect(payments.reconciled).toEqual(new Set(['confirmed']));
    // Still in flight, or unknown to booking: untouched, asked again next time.
    expect(payments.rows.get('paid')?.status).toBe('APPROVED');
    expect(payments.rows.get('unknown')?.status).toBe('APPROVED');
    expect(payments.askedAgainLater).toEqual(new Set(['paid', 'unknown']));
    expect(await handler.execute(new ReconcilePaymentsCommand(0))).toBe(0);
  });
});

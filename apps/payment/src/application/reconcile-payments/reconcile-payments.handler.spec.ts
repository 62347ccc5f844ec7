import type { BookingStatusName } from '@storage/contracts';
import { Payment } from '../../domain';
import { BookingStatuses } from '../ports/booking-statuses.port';
import { InMemoryPayments } from '../ports/payment.repository.fake';
import { ReconcilePaymentsHandler } from './reconcile-payments.handler';
import { ReconcilePaymentsCommand } from './reconcile-payments.command';

class Statuses extends BookingStatuses {
  constructor(
    private readonly statuses: Record<string, BookingStatusName | null>,
    private readonly asked: string[] = [],
  ) {
    super();
  }
  statusOf(bookingId: string) {
    this.asked.push(bookingId);
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
    const payments = new InMemoryPayments();
    for (const id of ['rejected', 'cancelled', 'confirmed', 'paid', 'unknown']) {
      await payments.save(approved(id));
    }
    payments.outbox.length = 0;
    const handler = new ReconcilePaymentsHandler(
      payments,
      new Statuses({ rejected: 'REJECTED', cancelled: 'CANCELLED', confirmed: 'CONFIRMED', paid: 'PAID' }),
      unitOfWork,
    );
    const now = new Date(Date.now() + 1000);
    payments.clock = () => now;
    expect(await handler.execute(new ReconcilePaymentsCommand(0, now))).toBe(2);
    expect(payments.rows.get('rejected')?.snapshot()).toMatchObject({
      status: 'REFUNDED',
      refundReason: 'BOOKING_REJECTED',
    });
    expect(payments.rows.get('cancelled')?.status).toBe('REFUNDED');
    expect(payments.rows.get('confirmed')?.status).toBe('APPROVED');
    expect(payments.outbox.map((event) => [event.type, event.payment.bookingId])).toEqual([
      ['PaymentRefunded', 'rejected'],
      ['PaymentRefunded', 'cancelled'],
    ]);
    expect(payments.reconciled.get('confirmed')).toBe('kept');
    // Still in flight, or unknown to booking: untouched, asked again next time.
    expect(payments.rows.get('paid')?.status).toBe('APPROVED');
    expect(payments.rows.get('unknown')?.status).toBe('APPROVED');
    expect(payments.reconciled.get('paid')).toBeInstanceOf(Date);
    expect(payments.reconciled.get('unknown')).toBeInstanceOf(Date);
    // The next run, later: the undecided ones are asked again, nothing is refunded twice.
    const asked: string[] = [];
    const again = new ReconcilePaymentsHandler(payments, new Statuses({}, asked), unitOfWork);
    expect(await again.execute(new ReconcilePaymentsCommand(0, new Date(now.getTime() + 1000)))).toBe(0);
    expect(asked.sort()).toEqual(['paid', 'unknown']);
  });
});

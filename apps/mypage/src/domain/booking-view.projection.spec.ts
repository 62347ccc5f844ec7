import { emptyView, type BookingView } from './booking-view';
import { project } from './booking-view.projection';
import type { TrackedEvent } from './tracked-event';

const bookingId = '00000000-0000-4000-8000-000000000001';
let sequence = 0;
function event(type: TrackedEvent['type'], at: string, fields: Record<string, unknown> = {}): TrackedEvent {
  sequence += 1;
  return { eventId: `e-${sequence}`, occurredAt: at, bookingId, type, ...fields } as TrackedEvent;
}

const placed = event('BookingPlaced', '2030-01-01T00:00:01Z', {
  customerId: 'c-1',
  size: 'S',
  startDate: '2030-02-01',
  endDate: '2030-02-11',
  amount: 30_000,
  paymentId: 'p-1',
});
const confirmed = event('BookingConfirmed', '2030-01-01T00:00:03Z', {
  customerId: 'c-1',
  unitId: 'u-1',
  unitCode: 'S-001',
});
const assigned = event('StorageAssigned', '2030-01-01T00:00:02Z', {
  unitId: 'u-1',
  unitCode: 'S-001',
  reassigned: false,
});
const cancelled = event('BookingCancelled', '2030-01-01T00:00:04Z', {
  customerId: 'c-1',
  reason: 'CUSTOMER_REQUEST',
});
const released = event('StorageReleased', '2030-01-01T00:00:05Z', { unitId: 'u-1', unitCode: 'S-001' });
const refunded = event('PaymentRefunded', '2030-01-01T00:00:06Z', {
  customerId: 'c-1',
  paymentId: 'p-1',
  amount: 30_000,
});

function fold(events: TrackedEvent[]): { view: BookingView; notices: string[] } {
  let view = emptyView(bookingId);
  const notices: string[] = [];
  for (const next of events) {
    const result = project(view, next);
    view = result.view;
    if (result.notice) notices.push(result.notice.kind);
  }
  return { view, notices };
}

describe('booking view projection', () => {
  it('tells the story in order, one notice per status change', () => {
    const { view, notices } = fold([placed, assigned, confirmed, cancelled, released, refunded]);
    expect(view).toMatchObject({
      customerId: 'c-1',
      status: 'CANCELLED',
      paymentStatus: 'REFUNDED',
      refundedAmount: 30_000,
      unitCode: 'S-001',
      unitReleased: true,
      lastEventAt: refunded.occurredAt,
    });
    expect(notices).toEqual(['PAID', 'CONFIRMED', 'CANCELLED', 'REFUNDED']);
  });

  it('ends in the same state whatever order the events arrive in', () => {
    const inOrder = fold([placed, assigned, confirmed, cancelled, released, refunded]).view;
    const shuffled = fold([refunded, released, confirmed, assigned, cancelled, placed]);
    expect(shuffled.view).toEqual(inOrder);
  });

  it('never moves a status backwards', () => {
    const { view } = fold([confirmed, placed]);
    expect(view.status).toBe('CONFIRMED');
    expect(fold([cancelled, confirmed, placed]).view.status).toBe('CANCELLED');
  });

  it('keeps the newest unit when unit events cross', () => {
    const moved = event('StorageAssigned', '2030-01-01T00:00:09Z', {
      unitId: 'u-2',
      unitCode: 'S-002',
      reassigned: true,
    });
    expect(fold([moved, assigned]).view.unitCode).toBe('S-002');
    expect(fold([assigned, moved]).view.unitCode).toBe('S-002');
  });

  it('gives no notice before it knows the customer, and none twice', () => {
    expect(fold([assigned]).notices).toEqual([]);
    expect(fold([placed, placed]).notices).toEqual(['PAID']);
  });
});

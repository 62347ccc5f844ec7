import type { BookingView, PaymentStatus, ViewStatus } from './booking-view';
import type { TrackedEvent } from './tracked-event';

/**
 * Events arrive late, twice, or in another order than they happened (three topics, consumed in
 * parallel). The projection therefore only ever moves forward: a status or payment status is
 * applied only if it ranks above the current one, and a unit only if its event is newer.
 */
const STATUS_RANK: Record<ViewStatus, number> = {
  PAID: 1,
  CONFIRMED: 2,
  REJECTED: 3,
  CANCELLED: 3,
  COMPLETED: 3,
};
const PAYMENT_RANK: Record<PaymentStatus, number> = { APPROVED: 1, DECLINED: 2, REFUNDED: 3 };

export interface NoticeDraft {
  /** One notice per booking and kind, whatever the redeliveries. */
  kind: string;
  customerId: string;
  message: string;
}

export interface Projection {
  view: BookingView;
  notice: NoticeDraft | null;
}

const won = (amount: number) => `${amount.toLocaleString('en-US')} KRW`;

function advanceStatus(view: BookingView, status: ViewStatus, reason: string | null): boolean {
  if (view.status !== null && STATUS_RANK[view.status] >= STATUS_RANK[status]) {
    return false;
  }
  view.status = status;
  view.statusReason = reason;
  return true;
}

function advancePayment(view: BookingView, status: PaymentStatus): boolean {
  if (view.paymentStatus !== null && PAYMENT_RANK[view.paymentStatus] >= PAYMENT_RANK[status]) {
    return false;
  }
  view.paymentStatus = status;
  return true;
}

function setUnit(
  view: BookingView,
  event: TrackedEvent,
  unitId: string,
  unitCode: string,
  released: boolean,
): void {
  if (view.unitChangedAt !== null && view.unitChangedAt > event.occurredAt) {
    return;
  }
  view.unitId = unitId;
  view.unitCode = unitCode;
  view.unitReleased = released;
  view.unitChangedAt = event.occurredAt;
}

export function project(current: BookingView, event: TrackedEvent): Projection {
  const view: BookingView = { ...current };
  if ('customerId' in event) {
    view.customerId ??= event.customerId;
  }
  if (view.lastEventAt === null || event.occurredAt > view.lastEventAt) {
    view.lastEventAt = event.occurredAt;
  }
  const notice = (kind: string, message: string): NoticeDraft | null =>
    view.customerId ? { kind, customerId: view.customerId, message } : null;

  switch (event.type) {
    case 'BookingPlaced': {
      Object.assign(view, {
        size: event.size,
        startDate: event.startDate,
        endDate: event.endDate,
        amount: event.amount,
        paymentId: view.paymentId ?? event.paymentId,
      });
      advancePayment(view, 'APPROVED');
      return {
        view,
        notice: advanceStatus(view, 'PAID', null)
          ? notice(
              'PAID',
              `Booking received and paid (${won(event.amount)}); a ${event.size} unit is being assigned.`,
            )
          : null,
      };
    }
    case 'BookingConfirmed': {
      setUnit(view, event, event.unitId, event.unitCode, false);
      return {
        view,
        notice: advanceStatus(view, 'CONFIRMED', null)
          ? notice('CONFIRMED', `Confirmed: your unit is ${event.unitCode}.`)
          : notice(`UNIT-${event.unitCode}`, `Your booking moved to unit ${event.unitCode}.`),
      };
    }
    case 'BookingRejected': {
      view.amount ??= event.amount;
      view.paymentId ??= event.paymentId;
      const text =
        event.reason === 'NO_UNIT_AVAILABLE'
          ? 'No unit was free for your period; the booking was rejected and your payment will be refunded.'
          : event.reason === 'PAYMENT_DECLINED'
            ? 'The payment was declined; the booking was not accepted.'
            : 'The payment could not be completed; nothing was booked and any charge will be refunded.';
      return {
        view,
        notice: advanceStatus(view, 'REJECTED', event.reason) ? notice('REJECTED', text) : null,
      };
    }
    case 'BookingCancelled': {
      const text =
        event.reason === 'UNIT_RETIRED'
          ? 'Your unit was taken out of service and no other was free: the booking was cancelled and will be refunded.'
          : 'Your booking was cancelled; the payment will be refunded.';
      return {
        view,
        notice: advanceStatus(view, 'CANCELLED', event.reason) ? notice('CANCELLED', text) : null,
      };
    }
    case 'BookingCompleted':
      return {
        view,
        notice: advanceStatus(view, 'COMPLETED', null)
          ? notice('COMPLETED', 'Rental completed. Thank you!')
          : null,
      };
    case 'PaymentApproved':
      view.paymentId ??= event.paymentId;
      view.amount ??= event.amount;
      advancePayment(view, 'APPROVED');
      return { view, notice: null };
    case 'PaymentDeclined':
      view.paymentId ??= event.paymentId;
      advancePayment(view, 'DECLINED');
      return { view, notice: null };
    case 'PaymentRefunded': {
      view.refundedAmount = event.amount;
      return {
        view,
        notice: advancePayment(view, 'REFUNDED')
          ? notice('REFUNDED', `Refund of ${won(event.amount)} issued.`)
          : null,
      };
    }
    case 'StorageAssigned':
      setUnit(view, event, event.unitId, event.unitCode, false);
      return { view, notice: null };
    case 'StorageReleased':
      setUnit(view, event, event.unitId, event.unitCode, true);
      return { view, notice: null };
    case 'StorageAssignmentFailed':
    case 'StorageAssignmentRevoked':
      return { view, notice: null };
  }
}

/** One line for the timeline. */
export function describe(event: TrackedEvent): string {
  switch (event.type) {
    case 'BookingPlaced':
      return `Booked ${event.size} ${event.startDate} to ${event.endDate}, ${won(event.amount)} paid`;
    case 'BookingConfirmed':
      return `Confirmed with unit ${event.unitCode}`;
    case 'BookingRejected':
      return `Rejected (${event.reason})`;
    case 'BookingCancelled':
      return `Cancelled (${event.reason})`;
    case 'BookingCompleted':
      return 'Checked out';
    case 'PaymentApproved':
      return `Payment approved (${won(event.amount)})`;
    case 'PaymentDeclined':
      return `Payment declined (${event.reason})`;
    case 'PaymentRefunded':
      return `Refunded ${won(event.amount)}`;
    case 'StorageAssigned':
      return event.reassigned ? `Moved to unit ${event.unitCode}` : `Unit ${event.unitCode} assigned`;
    case 'StorageReleased':
      return `Unit ${event.unitCode} released`;
    case 'StorageAssignmentFailed':
      return `No unit could be assigned (${event.reason})`;
    case 'StorageAssignmentRevoked':
      return `Unit withdrawn (${event.reason})`;
  }
}

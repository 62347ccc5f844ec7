export type ViewStatus = 'PAID' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED';
export type PaymentStatus = 'APPROVED' | 'DECLINED' | 'REFUNDED';

/** What the customer sees of one booking: built only from events, never from other databases. */
export interface BookingView {
  bookingId: string;
  customerId: string | null;
  status: ViewStatus | null;
  statusReason: string | null;
  size: string | null;
  startDate: string | null;
  endDate: string | null;
  amount: number | null;
  paymentId: string | null;
  paymentStatus: PaymentStatus | null;
  refundedAmount: number | null;
  unitId: string | null;
  unitCode: string | null;
  unitReleased: boolean;
  /** occurredAt of the event that last set the unit: a late, older unit event must not win. */
  unitChangedAt: string | null;
  lastEventAt: string | null;
}

export function emptyView(bookingId: string): BookingView {
  return {
    bookingId,
    customerId: null,
    status: null,
    statusReason: null,
    size: null,
    startDate: null,
    endDate: null,
    amount: null,
    paymentId: null,
    paymentStatus: null,
    refundedAmount: null,
    unitId: null,
    unitCode: null,
    unitReleased: false,
    unitChangedAt: null,
    lastEventAt: null,
  };
}

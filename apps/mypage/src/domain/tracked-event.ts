/** Any event of a booking's story, as the projection reads it. */
export type TrackedEvent = {
  eventId: string;
  occurredAt: string;
  bookingId: string;
} & (
  | {
      type: 'BookingPlaced';
      customerId: string;
      size: string;
      startDate: string;
      endDate: string;
      amount: number;
      paymentId: string;
    }
  | { type: 'BookingConfirmed'; customerId: string; unitId: string; unitCode: string }
  | { type: 'BookingRejected'; customerId: string; reason: string; amount: number; paymentId: string | null }
  | { type: 'BookingCancelled'; customerId: string; reason: string }
  | { type: 'BookingCompleted'; customerId: string }
  | { type: 'PaymentApproved'; customerId: string; paymentId: string; amount: number }
  | { type: 'PaymentDeclined'; customerId: string; paymentId: string; reason: string }
  | { type: 'PaymentRefunded'; customerId: string; paymentId: string; amount: number }
  | { type: 'StorageAssigned'; unitId: string; unitCode: string; reassigned: boolean }
  | { type: 'StorageReleased'; unitId: string; unitCode: string }
  | { type: 'StorageAssignmentFailed'; reason: string }
  | { type: 'StorageAssignmentRevoked'; reason: string }
);

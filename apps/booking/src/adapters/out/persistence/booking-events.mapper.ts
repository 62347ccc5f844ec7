import {
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingPlaced,
  BookingRejected,
  CURRENCY,
  type BookingStatusName,
  type SameValues,
  type UnitSize as ContractUnitSize,
} from '@storage/contracts';
import type { OutgoingEvent } from '@storage/messaging';
import type { BookingEvent, BookingStatus, UnitSize } from '../../../domain';

/** The domain's sizes and statuses are the contract's (the build fails otherwise). */
export const BOOKING_WORDS_ARE_THE_CONTRACTS: [
  SameValues<UnitSize, ContractUnitSize>,
  SameValues<BookingStatus, BookingStatusName>,
] = [true, true];

/** Domain events -> booking.events.v1, keyed and correlated by the booking id. */
export function toIntegrationEvent(event: BookingEvent): OutgoingEvent<object> {
  const { booking } = event;
  const base = { correlationId: booking.id };
  switch (event.type) {
    case 'BookingPlaced':
      return {
        ...base,
        definition: BookingPlaced,
        payload: {
          bookingId: booking.id,
          customerId: booking.customerId,
          size: booking.size,
          startDate: booking.startDate,
          endDate: booking.endDate,
          amount: booking.amount,
          currency: CURRENCY,
          paymentId: booking.paymentId!,
        },
      };
    case 'BookingConfirmed':
      return {
        ...base,
        definition: BookingConfirmed,
        payload: {
          bookingId: booking.id,
          customerId: booking.customerId,
          unitId: booking.unitId!,
          unitCode: booking.unitCode!,
        },
      };
    case 'BookingRejected':
      return {
        ...base,
        definition: BookingRejected,
        payload: {
          bookingId: booking.id,
          customerId: booking.customerId,
          reason: booking.rejectionReason!,
          paymentId: booking.paymentId,
          amount: booking.amount,
        },
      };
    case 'BookingCancelled':
      return {
        ...base,
        definition: BookingCancelled,
        payload: {
          bookingId: booking.id,
          customerId: booking.customerId,
          reason: booking.cancellationReason!,
          paymentId: booking.paymentId!,
          unitId: booking.unitId,
          amount: booking.amount,
        },
      };
    case 'BookingCompleted':
      return {
        ...base,
        definition: BookingCompleted,
        payload: { bookingId: booking.id, customerId: booking.customerId, unitId: booking.unitId },
      };
  }
}

import { CURRENCY, PaymentApproved, PaymentDeclined, PaymentRefunded } from '@storage/contracts';
import type { OutgoingEvent } from '@storage/messaging';
import type { PaymentDomainEvent } from '../../../domain';

/** Domain events -> the published contract (payment owns payment.events.v1). */
export function toIntegrationEvent(event: PaymentDomainEvent): OutgoingEvent<object> {
  const { payment } = event;
  switch (event.type) {
    case 'PaymentApproved':
      return {
        definition: PaymentApproved,
        correlationId: payment.bookingId,
        payload: {
          paymentId: payment.id,
          bookingId: payment.bookingId,
          customerId: payment.customerId,
          amount: payment.amount,
          currency: CURRENCY,
          method: payment.method,
        },
      };
    case 'PaymentDeclined':
      return {
        definition: PaymentDeclined,
        correlationId: payment.bookingId,
        payload: {
          paymentId: payment.id,
          bookingId: payment.bookingId,
          customerId: payment.customerId,
          amount: payment.amount,
          reason: payment.declineReason ?? 'DECLINED',
        },
      };
    case 'PaymentRefunded':
      return {
        definition: PaymentRefunded,
        correlationId: payment.bookingId,
        payload: {
          paymentId: payment.id,
          bookingId: payment.bookingId,
          customerId: payment.customerId,
          amount: payment.amount,
          reason: payment.refundReason ?? 'REFUND',
        },
      };
  }
}

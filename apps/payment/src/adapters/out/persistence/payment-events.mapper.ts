import { CURRENCY, PaymentApproved, PaymentDeclined, PaymentRefunded } from '@storage/contracts';
import type { OutgoingEvent } from '@storage/messaging';
import type { PaymentDomainEvent } from '../../../domain';

/** Domain events -> the published contract (payment owns payment.events.v1). */
export function toIntegrationEvent(event: PaymentDomainEvent): OutgoingEvent<object> {
  const { payment } = event;
  // Every payment event names the payment, its booking, its customer and the amount.
  const charge = {
    paymentId: payment.id,
    bookingId: payment.bookingId,
    customerId: payment.customerId,
    amount: payment.amount,
  };
  const correlationId = payment.bookingId;
  switch (event.type) {
    case 'PaymentApproved':
      return {
        definition: PaymentApproved,
        correlationId,
        payload: { ...charge, currency: CURRENCY, method: payment.method },
      };
    case 'PaymentDeclined':
      return {
        definition: PaymentDeclined,
        correlationId,
        payload: { ...charge, reason: payment.declineReason ?? 'DECLINED' },
      };
    case 'PaymentRefunded':
      return {
        definition: PaymentRefunded,
        correlationId,
        payload: { ...charge, reason: payment.refundReason ?? 'REFUND' },
      };
  }
}

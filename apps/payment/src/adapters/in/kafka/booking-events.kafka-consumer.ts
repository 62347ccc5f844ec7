import { EventPattern, Payload } from '@nestjs/microservices';
import {
  BookingCancelled,
  BookingRejected,
  Topics,
  type BookingCancelledV1,
  type BookingRejectedV1,
} from '@storage/contracts';
import { EventRouter, Inbox, KafkaConsumer } from '@storage/messaging';
import { RefundPaymentCommand } from '../../../application/refund-payment/refund-payment.command';
import { RefundPaymentHandler } from '../../../application/refund-payment/refund-payment.handler';

const CONSUMER = 'payment.booking-events';

/** Refunds follow the booking saga: a rejected or cancelled booking gets its money back. */
@KafkaConsumer()
export class BookingEventsKafkaConsumer {
  private readonly router: EventRouter;

  constructor(inbox: Inbox, refund: RefundPaymentHandler) {
    const refundFor = (event: BookingRejectedV1 | BookingCancelledV1) =>
      refund.execute(new RefundPaymentCommand(event.bookingId, event.customerId, event.amount, event.reason));
    this.router = new EventRouter({ inbox, consumer: CONSUMER })
      .on(BookingRejected, refundFor)
      .on(BookingCancelled, refundFor);
  }

  @EventPattern(Topics.bookingEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

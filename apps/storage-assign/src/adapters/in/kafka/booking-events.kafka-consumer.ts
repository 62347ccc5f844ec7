import { EventPattern, Payload } from '@nestjs/microservices';
import {
  BookingCancelled,
  BookingCompleted,
  BookingPlaced,
  BookingRejected,
  Topics,
} from '@storage/contracts';
import { EventRouter, Inbox, KafkaConsumer } from '@storage/messaging';
import { AssignStorageCommand } from '../../../application/assign-storage/assign-storage.command';
import { AssignStorageHandler } from '../../../application/assign-storage/assign-storage.handler';
import { CompleteRentalHandler } from '../../../application/complete-rental/complete-rental.handler';
import { ReleaseStorageHandler } from '../../../application/release-storage/release-storage.handler';

const CONSUMER = 'storage-assign.booking-events';

/** The saga's asynchronous half: paid bookings get units, cancelled or rejected ones give them back. */
@KafkaConsumer()
export class BookingEventsKafkaConsumer {
  private readonly router: EventRouter;

  constructor(
    inbox: Inbox,
    assign: AssignStorageHandler,
    release: ReleaseStorageHandler,
    complete: CompleteRentalHandler,
  ) {
    this.router = new EventRouter()
      .on(
        BookingPlaced,
        inbox.idempotent(CONSUMER, (event) =>
          assign.execute(
            new AssignStorageCommand(event.bookingId, event.size, event.startDate, event.endDate),
          ),
        ),
      )
      .on(
        BookingCancelled,
        inbox.idempotent(CONSUMER, (event) => release.execute(event.bookingId, event.reason)),
      )
      // A booking rejected after payment (no unit in time) gives back a unit assigned too late.
      .on(
        BookingRejected,
        inbox.idempotent(CONSUMER, (event) => release.execute(event.bookingId, event.reason)),
      )
      .on(
        BookingCompleted,
        inbox.idempotent(CONSUMER, (event) => complete.execute(event.bookingId)),
      );
  }

  @EventPattern(Topics.bookingEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

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
import { CompleteRentalCommand } from '../../../application/complete-rental/complete-rental.command';
import { ReleaseStorageCommand } from '../../../application/release-storage/release-storage.command';

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
    this.router = new EventRouter({ inbox, consumer: CONSUMER })
      .on(BookingPlaced, (event) =>
        assign.execute(new AssignStorageCommand(event.bookingId, event.size, event.startDate, event.endDate)),
      )
      .on(BookingCancelled, (event) =>
        release.execute(new ReleaseStorageCommand(event.bookingId, event.reason)),
      )
      // A booking rejected after payment (no unit in time) gives back a unit assigned too late.
      .on(BookingRejected, (event) =>
        release.execute(new ReleaseStorageCommand(event.bookingId, event.reason)),
      )
      .on(BookingCompleted, (event) => complete.execute(new CompleteRentalCommand(event.bookingId)));
  }

  @EventPattern(Topics.bookingEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

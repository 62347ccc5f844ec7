import { EventPattern, Payload } from '@nestjs/microservices';
import {
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingPlaced,
  BookingRejected,
  PaymentApproved,
  PaymentDeclined,
  PaymentRefunded,
  StorageAssigned,
  StorageAssignmentFailed,
  StorageAssignmentRevoked,
  StorageReleased,
  Topics,
  type EventDefinition,
  type EventEnvelope,
} from '@storage/contracts';
import { EventRouter, KafkaConsumer } from '@storage/messaging';
import type { TrackedEvent } from '../../../domain';
import { ProjectEventHandler } from '../../../application/project-event/project-event.handler';
import { ProjectEventCommand } from '../../../application/project-event/project-event.command';

/**
 * Every event of the saga, from all three topics, folded into the customer's read model. No inbox
 * here: the view is idempotent by itself (FTGO's idempotent views). The projection appends the
 * event to the timeline under its event id, in the same statement that moves the view on from the
 * version it was read at, and a redelivered event finds it there and changes nothing; an inbox
 * row would only repeat that fact, at one more statement and row per event.
 */
@KafkaConsumer()
export class SagaEventsKafkaConsumer {
  private readonly router = new EventRouter({
    idempotentByItself:
      'the timeline is keyed by event id, written only when the view is at the version it was read',
  });

  constructor(projection: ProjectEventHandler) {
    const track = <P extends object>(
      definition: EventDefinition<P>,
      toTracked: (payload: P) => Omit<TrackedEvent, 'eventId' | 'occurredAt'>,
    ) => {
      this.router.on(definition, async (payload: P, envelope: EventEnvelope<P>) => {
        await projection.execute(
          new ProjectEventCommand({
            ...toTracked(payload),
            eventId: envelope.eventId,
            occurredAt: envelope.occurredAt,
          } as TrackedEvent),
        );
      });
    };
    track(BookingPlaced, (event) => ({ type: 'BookingPlaced', ...event }));
    track(BookingConfirmed, (event) => ({ type: 'BookingConfirmed', ...event }));
    track(BookingRejected, (event) => ({ type: 'BookingRejected', ...event }));
    track(BookingCancelled, (event) => ({ type: 'BookingCancelled', ...event }));
    track(BookingCompleted, (event) => ({ type: 'BookingCompleted', ...event }));
    track(PaymentApproved, (event) => ({ type: 'PaymentApproved', ...event }));
    track(PaymentDeclined, (event) => ({ type: 'PaymentDeclined', ...event }));
    track(PaymentRefunded, (event) => ({ type: 'PaymentRefunded', ...event }));
    track(StorageAssigned, (event) => ({ type: 'StorageAssigned', ...event }));
    track(StorageReleased, (event) => ({ type: 'StorageReleased', ...event }));
    track(StorageAssignmentFailed, (event) => ({ type: 'StorageAssignmentFailed', ...event }));
    track(StorageAssignmentRevoked, (event) => ({ type: 'StorageAssignmentRevoked', ...event }));
  }

  @EventPattern(Topics.bookingEvents)
  async bookingEvents(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }

  @EventPattern(Topics.paymentEvents)
  async paymentEvents(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }

  @EventPattern(Topics.storageEvents)
  async storageEvents(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

import { EventPattern, Payload } from '@nestjs/microservices';
import {
  StorageAssigned,
  StorageAssignmentFailed,
  StorageAssignmentRevoked,
  StorageUnitChanged,
  StorageUnitRegistered,
  Topics,
} from '@storage/contracts';
import { EventRouter, Inbox, KafkaConsumer } from '@storage/messaging';
import { ApplyStorageOutcomeHandler } from '../../../application/apply-storage-outcome/apply-storage-outcome.handler';
import { UpdateCatalogueHandler } from '../../../application/update-catalogue/update-catalogue.handler';

const CONSUMER = 'booking.storage-events';

/** Storage-assign's outcomes drive the saga; its inventory events keep the price catalogue. */
@KafkaConsumer()
export class StorageEventsKafkaConsumer {
  private readonly router: EventRouter;

  constructor(inbox: Inbox, outcome: ApplyStorageOutcomeHandler, catalogue: UpdateCatalogueHandler) {
    this.router = new EventRouter({ inbox, consumer: CONSUMER })
      .on(StorageAssigned, (event) => outcome.assigned(event.bookingId, event.unitId, event.unitCode))
      .on(StorageAssignmentFailed, (event) => outcome.failed(event.bookingId))
      .on(StorageAssignmentRevoked, (event) => outcome.revoked(event.bookingId))
      .on(StorageUnitRegistered, (event) =>
        catalogue.execute({
          unitId: event.unitId,
          size: event.size,
          dailyRate: event.dailyRate,
          status: 'AVAILABLE',
        }),
      )
      .on(StorageUnitChanged, (event) =>
        catalogue.execute({
          unitId: event.unitId,
          size: event.size,
          dailyRate: event.dailyRate,
          status: event.status,
        }),
      );
  }

  @EventPattern(Topics.storageEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

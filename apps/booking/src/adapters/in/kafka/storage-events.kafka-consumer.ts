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
import { ApplyStorageOutcomeCommand } from '../../../application/apply-storage-outcome/apply-storage-outcome.command';
import { UpdateCatalogueCommand } from '../../../application/update-catalogue/update-catalogue.command';

const CONSUMER = 'booking.storage-events';

/** Storage-assign's outcomes drive the saga; its inventory events keep the price catalogue. */
@KafkaConsumer()
export class StorageEventsKafkaConsumer {
  private readonly router: EventRouter;

  constructor(inbox: Inbox, outcome: ApplyStorageOutcomeHandler, catalogue: UpdateCatalogueHandler) {
    this.router = new EventRouter({ inbox, consumer: CONSUMER })
      .on(StorageAssigned, (event) =>
        outcome.execute(
          new ApplyStorageOutcomeCommand(event.bookingId, {
            kind: 'assigned',
            unitId: event.unitId,
            unitCode: event.unitCode,
          }),
        ),
      )
      .on(StorageAssignmentFailed, (event) =>
        outcome.execute(new ApplyStorageOutcomeCommand(event.bookingId, { kind: 'failed' })),
      )
      .on(StorageAssignmentRevoked, (event) =>
        outcome.execute(new ApplyStorageOutcomeCommand(event.bookingId, { kind: 'revoked' })),
      )
      .on(StorageUnitRegistered, ({ unitId, size, dailyRate, unitVersion }) =>
        catalogue.execute(
          new UpdateCatalogueCommand({
            unitId,
            size,
            dailyRate,
            status: 'AVAILABLE',
            version: unitVersion ?? null,
          }),
        ),
      )
      .on(StorageUnitChanged, ({ unitId, size, dailyRate, status, unitVersion }) =>
        catalogue.execute(
          new UpdateCatalogueCommand({ unitId, size, dailyRate, status, version: unitVersion ?? null }),
        ),
      );
  }

  @EventPattern(Topics.storageEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    await this.router.dispatch(message);
  }
}

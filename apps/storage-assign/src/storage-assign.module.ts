import { type DynamicModule, Module } from '@nestjs/common';
import type { KafkaEventServer } from '@storage/messaging';
import { bookingStatusesProvider, DataServiceModule, ServiceHttpModule } from '@storage/data-service';
import { periodicJobProvider } from '@storage/service-kit';
import { AvailabilityHttpController } from './adapters/in/http/availability.http-controller';
import { StorageUnitsHttpController } from './adapters/in/http/storage-units.http-controller';
import { InventorySeeder } from './adapters/in/inventory-seeder';
import { BookingEventsKafkaConsumer } from './adapters/in/kafka/booking-events.kafka-consumer';
import { AssignmentTypeormRepository } from './adapters/out/persistence/assignment.typeorm-repository';
import { AvailabilityTypeormReader } from './adapters/out/persistence/availability.typeorm-reader';
import { STORAGE_ASSIGN_ENTITIES } from './adapters/out/persistence/storage-assign.entities';
import { StorageUnitTypeormRepository } from './adapters/out/persistence/storage-unit.typeorm-repository';
import { AssignStorageHandler } from './application/assign-storage/assign-storage.handler';
import { ChangeUnitStatusHandler } from './application/change-unit-status/change-unit-status.handler';
import { CompleteRentalHandler } from './application/complete-rental/complete-rental.handler';
import { AssignmentRepository } from './application/ports/assignment.repository.port';
import { AvailabilityReader } from './application/ports/availability-reader.port';
import { StorageUnitRepository } from './application/ports/storage-unit.repository.port';
import { QueryUnitsHandler } from './application/query-units/query-units.handler';
import { RegisterUnitHandler } from './application/register-unit/register-unit.handler';
import { ReleaseStorageHandler } from './application/release-storage/release-storage.handler';
import { RetireUnitHandler } from './application/retire-unit/retire-unit.handler';
import { SeedInventoryHandler } from './application/seed-inventory/seed-inventory.handler';
import { STORAGE_ASSIGN_MIGRATIONS } from './migrations';
import { BookingStatuses } from './application/ports/booking-statuses.port';
import { ReconcileAssignmentsHandler } from './application/reconcile-assignments/reconcile-assignments.handler';

const ASSIGNMENT_RECONCILE_JOB = Symbol('AssignmentReconcileJob');
import type { StorageAssignConfig } from './storage-assign.config';
import { ReconcileAssignmentsCommand } from './application/reconcile-assignments/reconcile-assignments.command';

@Module({})
export class StorageAssignModule {
  static register(config: StorageAssignConfig, server?: KafkaEventServer): DynamicModule {
    return {
      module: StorageAssignModule,
      imports: [
        ServiceHttpModule,
        DataServiceModule.forRoot({
          name: 'storage-assign',
          config,
          server,
          entities: STORAGE_ASSIGN_ENTITIES,
          migrations: STORAGE_ASSIGN_MIGRATIONS,
        }),
      ],
      controllers: [StorageUnitsHttpController, AvailabilityHttpController, BookingEventsKafkaConsumer],
      providers: [
        ReconcileAssignmentsHandler,
        bookingStatusesProvider(BookingStatuses, {
          baseUrl: config.BOOKING_URL,
          internalSecret: config.INTERNAL_AUTH_SECRET,
        }),
        periodicJobProvider(
          ASSIGNMENT_RECONCILE_JOB,
          'AssignmentReconciliation',
          config.ASSIGNMENT_RECONCILE_INTERVAL_MS,
          ReconcileAssignmentsHandler,
          (handler) => handler.execute(new ReconcileAssignmentsCommand(config.ASSIGNMENT_RECONCILE_AFTER_MS)),
        ),
        AssignStorageHandler,
        ReleaseStorageHandler,
        CompleteRentalHandler,
        RegisterUnitHandler,
        ChangeUnitStatusHandler,
        RetireUnitHandler,
        QueryUnitsHandler,
        SeedInventoryHandler,
        { provide: StorageUnitRepository, useClass: StorageUnitTypeormRepository },
        { provide: AssignmentRepository, useClass: AssignmentTypeormRepository },
        { provide: AvailabilityReader, useClass: AvailabilityTypeormReader },
        {
          provide: InventorySeeder,
          useFactory: (seed: SeedInventoryHandler) =>
            new InventorySeeder(seed, config.SEED_DEFAULT_INVENTORY),
          inject: [SeedInventoryHandler],
        },
      ],
    };
  }
}

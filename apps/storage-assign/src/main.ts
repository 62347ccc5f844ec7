import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { createEventServer, loadConfigOrExit, runService } from '@storage/service-kit';
import { StorageAssignConfig } from './storage-assign.config';
import { StorageAssignModule } from './storage-assign.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(StorageAssignConfig, 'storage-assign');
  const server = createEventServer(config, 'storage-assign');
  await runService({
    name: 'storage-assign',
    title: 'Storage-assign service',
    description:
      'Unit inventory (staff) and assignment of units to paid bookings; no unit is ever held twice for overlapping periods.',
    config,
    module: StorageAssignModule.register(config, server),
    errorStatusByCode: {
      STORAGE_UNIT_NOT_FOUND: 404,
      STORAGE_UNIT_CODE_TAKEN: 409,
      STORAGE_UNIT_ILLEGAL_TRANSITION: 409,
      INVALID_MAINTENANCE_WINDOW: 422,
      STORAGE_BUSY: 503,
      INVALID_PERIOD: 400,
    },
    kafka: { server, topics: [Topics.storageEvents, Topics.bookingEvents] },
  });
}

void main();

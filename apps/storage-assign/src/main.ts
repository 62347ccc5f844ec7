import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { runDataService } from '@storage/data-service';
import { StorageAssignConfig } from './storage-assign.config';
import { StorageAssignModule } from './storage-assign.module';

void runDataService({
  name: 'storage-assign',
  title: 'Storage-assign service',
  description:
    'Unit inventory (staff) and assignment of units to paid bookings; no unit is ever held twice for overlapping periods.',
  config: StorageAssignConfig,
  topics: [Topics.storageEvents, Topics.bookingEvents],
  module: (config, server) => StorageAssignModule.register(config, server),
});

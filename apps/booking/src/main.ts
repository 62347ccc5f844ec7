import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { runDataService } from '@storage/data-service';
import { BookingConfig } from './booking.config';
import { BookingModule } from './booking.module';

void runDataService({
  name: 'booking',
  title: 'Booking service',
  description:
    'Bookings of storage units: priced, paid synchronously (circuit breaker), confirmed when storage-assign assigns a unit.',
  config: BookingConfig,
  topics: [Topics.bookingEvents, Topics.storageEvents],
  module: (config, server) => BookingModule.register(config, server),
});

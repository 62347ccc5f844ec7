import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { createEventServer, loadConfigOrExit, runService } from '@storage/service-kit';
import { BookingConfig } from './booking.config';
import { BookingModule } from './booking.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(BookingConfig, 'booking');
  const server = createEventServer(config, 'booking');
  await runService({
    name: 'booking',
    title: 'Booking service',
    description:
      'Bookings of storage units: priced, paid synchronously (circuit breaker), confirmed when storage-assign assigns a unit.',
    config,
    module: BookingModule.register(config, server),
    errorStatusByCode: {
      BOOKING_NOT_FOUND: 404,
      INVALID_PERIOD: 400,
      START_DATE_IN_PAST: 422,
      RENTAL_TOO_LONG: 422,
      AMOUNT_TOO_LARGE: 422,
      SIZE_NOT_OFFERED: 422,
      NO_UNIT_AVAILABLE: 409,
      PAYMENT_DECLINED: 402,
      PAYMENT_UNAVAILABLE: 503,
      BOOKING_IN_PROGRESS: 409,
      IDEMPOTENCY_KEY_REUSED: 422,
      BOOKING_STATE_CONFLICT: 409,
    },
    kafka: { server, topics: [Topics.bookingEvents, Topics.storageEvents] },
  });
}

void main();

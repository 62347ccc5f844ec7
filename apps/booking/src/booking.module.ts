import { HttpService } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { MAX_CHARGE_AMOUNT_KRW } from '@storage/contracts';
import type { KafkaEventServer } from '@storage/messaging';
import { DataServiceModule, ServiceHttpModule } from '@storage/data-service';
import { periodicJobProvider } from '@storage/service-kit';
import { ResiliencePolicy } from '@storage/resilience';
import { BookingsHttpController } from './adapters/in/http/bookings.http-controller';
import { QuotesHttpController } from './adapters/in/http/quotes.http-controller';
import { StorageEventsKafkaConsumer } from './adapters/in/kafka/storage-events.kafka-consumer';
import { AvailabilityHttpClient } from './adapters/out/http/availability.http-client';
import { PaymentHttpClient } from './adapters/out/http/payment.http-client';
import { BookingOrmEntity } from './adapters/out/persistence/booking.orm-entity';
import { BookingTypeormRepository } from './adapters/out/persistence/booking.typeorm-repository';
import { CatalogueUnitOrmEntity } from './adapters/out/persistence/catalogue-unit.orm-entity';
import { CatalogueTypeormAdapter } from './adapters/out/persistence/catalogue.typeorm-adapter';
import { ApplyStorageOutcomeHandler } from './application/apply-storage-outcome/apply-storage-outcome.handler';
import { CancelBookingHandler } from './application/cancel-booking/cancel-booking.handler';
import { CheckOutBookingHandler } from './application/check-out-booking/check-out-booking.handler';
import { RecentBookings } from './application/recent-bookings';
import { ExpireStalePaymentsHandler } from './application/expire-stale-payments/expire-stale-payments.handler';
import { RedriveStalledBookingsHandler } from './application/redrive-stalled-bookings/redrive-stalled-bookings.handler';
import { BOOKING_RULES, PlaceBookingHandler } from './application/place-booking/place-booking.handler';
import { Availability } from './application/ports/availability.port';
import { BookingRepository } from './application/ports/booking.repository.port';
import { Catalogue } from './application/ports/catalogue.port';
import { PaymentGateway } from './application/ports/payment-gateway.port';
import { SagaMetrics } from './application/ports/saga-metrics.port';
import { PrometheusSagaMetrics } from './adapters/out/metrics/prometheus-saga.metrics';
import { QueryBookingsHandler } from './application/query-bookings/query-bookings.handler';
import { QueryQuotesHandler } from './application/query-quotes/query-quotes.handler';
import { UpdateCatalogueHandler } from './application/update-catalogue/update-catalogue.handler';
import type { BookingConfig } from './booking.config';
import { BOOKING_MIGRATIONS } from './migrations';
import { ExpireStalePaymentsCommand } from './application/expire-stale-payments/expire-stale-payments.command';
import { RedriveStalledBookingsCommand } from './application/redrive-stalled-bookings/redrive-stalled-bookings.command';

/** Provider tokens of the reconciliations (PeriodicJobs, see periodicJobProvider). */
const SAGA_REDRIVE_JOB = Symbol('SagaRedriveJob');
const STALE_PAYMENT_JOB = Symbol('StalePaymentJob');

@Module({})
export class BookingModule {
  static register(config: BookingConfig, server?: KafkaEventServer): DynamicModule {
    const paymentPolicy = new ResiliencePolicy({
      dependency: 'payment',
      timeoutMs: config.PAYMENT_TIMEOUT_MS,
      retries: config.PAYMENT_RETRIES,
      breakerFailureRate: config.PAYMENT_BREAKER_FAILURE_RATE,
      breakerMinimumCalls: config.PAYMENT_BREAKER_MIN_CALLS,
      breakerWindowMs: config.PAYMENT_BREAKER_WINDOW_MS,
      halfOpenAfterMs: config.PAYMENT_BREAKER_HALF_OPEN_MS,
      bulkheadLimit: config.PAYMENT_BULKHEAD_LIMIT,
      bulkheadQueue: config.PAYMENT_BULKHEAD_QUEUE,
      slowStartWaitMs: config.PAYMENT_SLOW_START_WAIT_MS,
    });
    const availabilityPolicy = new ResiliencePolicy({
      dependency: 'storage-assign',
      timeoutMs: config.AVAILABILITY_TIMEOUT_MS,
      retries: 0,
      breakerFailureRate: 0.5,
      breakerMinimumCalls: 3,
      breakerWindowMs: 10_000,
      halfOpenAfterMs: 5000,
      bulkheadLimit: 50,
      bulkheadQueue: 0,
    });
    return {
      module: BookingModule,
      imports: [
        DataServiceModule.forRoot({
          name: 'booking',
          config,
          server,
          entities: [BookingOrmEntity, CatalogueUnitOrmEntity],
          migrations: BOOKING_MIGRATIONS,
        }),
        ServiceHttpModule,
      ],
      controllers: [BookingsHttpController, QuotesHttpController, StorageEventsKafkaConsumer],
      providers: [
        PlaceBookingHandler,
        CancelBookingHandler,
        CheckOutBookingHandler,
        ApplyStorageOutcomeHandler,
        UpdateCatalogueHandler,
        ExpireStalePaymentsHandler,
        RedriveStalledBookingsHandler,
        periodicJobProvider(
          SAGA_REDRIVE_JOB,
          'SagaRedrive',
          config.SAGA_REDRIVE_INTERVAL_MS,
          RedriveStalledBookingsHandler,
          (handler) => handler.execute(new RedriveStalledBookingsCommand(config.SAGA_REDRIVE_AFTER_MS)),
        ),
        QueryBookingsHandler,
        QueryQuotesHandler,
        RecentBookings,
        {
          provide: BOOKING_RULES,
          useValue: {
            maxRentalDays: config.MAX_RENTAL_DAYS,
            maxAmount: MAX_CHARGE_AMOUNT_KRW,
            recordPaymentWithinMs: config.RECORD_PAYMENT_WITHIN_MS,
            resumePendingAfterMs: config.RESUME_PENDING_PAYMENT_AFTER_MS,
          },
        },
        { provide: BookingRepository, useClass: BookingTypeormRepository },
        { provide: SagaMetrics, useClass: PrometheusSagaMetrics },
        { provide: Catalogue, useClass: CatalogueTypeormAdapter },
        {
          provide: PaymentGateway,
          useFactory: (http: HttpService) =>
            new PaymentHttpClient(http, {
              baseUrl: config.PAYMENT_URL,
              internalSecret: config.INTERNAL_AUTH_SECRET,
              policy: paymentPolicy,
              edgeHoldMs: config.PAYMENT_REFUSAL_EDGE_HOLD_MS,
            }),
          inject: [HttpService],
        },
        {
          provide: Availability,
          useFactory: (http: HttpService) =>
            new AvailabilityHttpClient(http, {
              baseUrl: config.STORAGE_ASSIGN_URL,
              internalSecret: config.INTERNAL_AUTH_SECRET,
              policy: availabilityPolicy,
            }),
          inject: [HttpService],
        },
        periodicJobProvider(
          STALE_PAYMENT_JOB,
          'StalePaymentSweeper',
          config.STALE_PAYMENT_SWEEP_INTERVAL_MS,
          ExpireStalePaymentsHandler,
          (handler) => handler.execute(new ExpireStalePaymentsCommand(config.STALE_PAYMENT_GRACE_MS)),
        ),
      ],
    };
  }
}

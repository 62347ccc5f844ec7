import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { KafkaEventServer } from '@storage/messaging';
import { bookingStatusesProvider, DataServiceModule, ServiceHttpModule } from '@storage/data-service';
import { periodicJobProvider } from '@storage/service-kit';
import { BookingEventsKafkaConsumer } from './adapters/in/kafka/booking-events.kafka-consumer';
import { PaymentsHttpController } from './adapters/in/http/payments.http-controller';
import { PaymentOrmEntity } from './adapters/out/persistence/payment.orm-entity';
import { PaymentTypeormRepository } from './adapters/out/persistence/payment.typeorm-repository';
import { SimulatedChargeLedger } from './adapters/out/provider/simulated-charge-ledger';
import { SimulatedPaymentProvider } from './adapters/out/provider/simulated-payment.provider';
import { RecoverPaymentIntentsHandler } from './application/recover-payment-intents/recover-payment-intents.handler';
import { BookingStatuses } from './application/ports/booking-statuses.port';
import { ReconcilePaymentsHandler } from './application/reconcile-payments/reconcile-payments.handler';

const PAYMENT_RECONCILE_JOB = Symbol('PaymentReconcileJob');
const PAYMENT_INTENT_RECOVERY_JOB = Symbol('PaymentIntentRecoveryJob');
import { PaymentIntents1764600000100 } from './migrations/1764600000100-payment-intents';
import { AuthorizePaymentHandler } from './application/authorize-payment/authorize-payment.handler';
import { QueryPaymentsHandler } from './application/query-payments/query-payments.handler';
import { PaymentProvider } from './application/ports/payment-provider.port';
import { PaymentRepository } from './application/ports/payment.repository.port';
import { RefundPaymentHandler } from './application/refund-payment/refund-payment.handler';
import { CreatePayment1763700000100 } from './migrations/1763700000100-create-payment';
import type { PaymentConfig } from './payment.config';
import { ReconcilePaymentsCommand } from './application/reconcile-payments/reconcile-payments.command';
import { RecoverPaymentIntentsCommand } from './application/recover-payment-intents/recover-payment-intents.command';

@Module({})
export class PaymentModule {
  static register(config: PaymentConfig, server?: KafkaEventServer): DynamicModule {
    const latency = config.latencyRange();
    return {
      module: PaymentModule,
      imports: [
        ServiceHttpModule,
        DataServiceModule.forRoot({
          name: 'payment',
          config,
          server,
          entities: [PaymentOrmEntity],
          migrations: [CreatePayment1763700000100, PaymentIntents1764600000100],
        }),
      ],
      controllers: [PaymentsHttpController, BookingEventsKafkaConsumer],
      providers: [
        AuthorizePaymentHandler,
        RefundPaymentHandler,
        QueryPaymentsHandler,
        RecoverPaymentIntentsHandler,
        ReconcilePaymentsHandler,
        bookingStatusesProvider(BookingStatuses, {
          baseUrl: config.BOOKING_URL,
          internalSecret: config.INTERNAL_AUTH_SECRET,
        }),
        periodicJobProvider(
          PAYMENT_RECONCILE_JOB,
          'PaymentReconciliation',
          config.PAYMENT_RECONCILE_INTERVAL_MS,
          ReconcilePaymentsHandler,
          (handler) => handler.execute(new ReconcilePaymentsCommand(config.PAYMENT_RECONCILE_AFTER_MS)),
        ),
        periodicJobProvider(
          PAYMENT_INTENT_RECOVERY_JOB,
          'PaymentIntentRecovery',
          config.PAYMENT_INTENT_RECOVERY_INTERVAL_MS,
          RecoverPaymentIntentsHandler,
          (handler) =>
            handler.execute(new RecoverPaymentIntentsCommand(config.PAYMENT_INTENT_RECOVERY_AFTER_MS)),
        ),
        { provide: PaymentRepository, useClass: PaymentTypeormRepository },
        {
          provide: PaymentProvider,
          useFactory: (dataSource: DataSource) =>
            new SimulatedPaymentProvider(
              {
                latencyMinMs: latency.min,
                latencyMaxMs: latency.max,
                failureRate: config.PAYMENT_FAILURE_RATE,
                singleChargeLimit: config.PAYMENT_SINGLE_CHARGE_LIMIT,
              },
              new SimulatedChargeLedger(dataSource),
            ),
          inject: [getDataSourceToken()],
        },
      ],
    };
  }
}

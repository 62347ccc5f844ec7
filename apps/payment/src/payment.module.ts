import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule } from '@storage/health';
import {
  InboxMessageOrmEntity,
  KafkaReadinessCheck,
  MessagingModule,
  MessagingTables1763700000000,
  OutboxMessageOrmEntity,
  type KafkaEventServer,
} from '@storage/messaging';
import { PersistenceModule } from '@storage/persistence';
import { BookingEventsKafkaConsumer } from './adapters/in/kafka/booking-events.kafka-consumer';
import { PaymentsHttpController } from './adapters/in/http/payments.http-controller';
import { PaymentOrmEntity } from './adapters/out/persistence/payment.orm-entity';
import { PaymentTypeormRepository } from './adapters/out/persistence/payment.typeorm-repository';
import { SimulatedPaymentProvider } from './adapters/out/provider/simulated-payment.provider';
import { AuthorizePaymentHandler } from './application/authorize-payment/authorize-payment.handler';
import { GetPaymentsHandler } from './application/get-payments/get-payments.handler';
import { PaymentProvider } from './application/ports/payment-provider.port';
import { PaymentRepository } from './application/ports/payment.repository.port';
import { RefundPaymentHandler } from './application/refund-payment/refund-payment.handler';
import { CreatePayment1763700000100 } from './migrations/1763700000100-create-payment';
import type { PaymentConfig } from './payment.config';

@Module({})
export class PaymentModule {
  static register(config: PaymentConfig, server?: KafkaEventServer): DynamicModule {
    const latency = config.latencyRange();
    return {
      module: PaymentModule,
      imports: [
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          entities: [PaymentOrmEntity, OutboxMessageOrmEntity, InboxMessageOrmEntity],
          migrations: [MessagingTables1763700000000, CreatePayment1763700000100],
        }),
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: 'payment',
          databaseUrl: config.DATABASE_URL,
          server,
        }),
        HealthModule.forRoot({ database: true, checkTokens: [KafkaReadinessCheck] }),
      ],
      controllers: [PaymentsHttpController, BookingEventsKafkaConsumer],
      providers: [
        AuthorizePaymentHandler,
        RefundPaymentHandler,
        GetPaymentsHandler,
        { provide: PaymentRepository, useClass: PaymentTypeormRepository },
        {
          provide: PaymentProvider,
          useFactory: () =>
            new SimulatedPaymentProvider({
              latencyMinMs: latency.min,
              latencyMaxMs: latency.max,
              failureRate: config.PAYMENT_FAILURE_RATE,
              singleChargeLimit: config.PAYMENT_SINGLE_CHARGE_LIMIT,
            }),
        },
      ],
    };
  }
}

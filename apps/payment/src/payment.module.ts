import { type DynamicModule, Module } from '@nestjs/common';
import type { KafkaEventServer } from '@storage/messaging';
import { DataServiceModule } from '@storage/service-kit';
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
        DataServiceModule.forRoot({
          name: 'payment',
          config,
          server,
          entities: [PaymentOrmEntity],
          migrations: [CreatePayment1763700000100],
        }),
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

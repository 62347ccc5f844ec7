import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { runDataService } from '@storage/data-service';
import { PaymentConfig } from './payment.config';
import { PaymentModule } from './payment.module';

void runDataService({
  name: 'payment',
  title: 'Payment service',
  description: 'Simulated card processor: idempotent charges per booking, refunds driven by booking events.',
  config: PaymentConfig,
  topics: [Topics.paymentEvents, Topics.bookingEvents],
  module: (config, server) => PaymentModule.register(config, server),
});

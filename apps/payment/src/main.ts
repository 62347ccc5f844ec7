import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { createEventServer, loadConfigOrExit, runService } from '@storage/service-kit';
import { PaymentConfig } from './payment.config';
import { PaymentModule } from './payment.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PaymentConfig, 'payment');
  const server = createEventServer(config, 'payment');
  await runService({
    name: 'payment',
    title: 'Payment service',
    description:
      'Simulated card processor: idempotent charges per booking, refunds driven by booking events.',
    config,
    module: PaymentModule.register(config, server),
    errorStatusByCode: {
      PAYMENT_NOT_FOUND: 404,
      PAYMENT_IDEMPOTENCY_CONFLICT: 409,
      PAYMENT_PROVIDER_UNAVAILABLE: 503,
    },
    kafka: { server, topics: [Topics.paymentEvents, Topics.bookingEvents] },
  });
}

void main();

import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { createEventServer, loadConfigOrExit, runService } from '@storage/service-kit';
import { MypageConfig } from './mypage.config';
import { MypageModule } from './mypage.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(MypageConfig, 'mypage');
  const server = createEventServer(config, 'mypage');
  await runService({
    name: 'mypage',
    title: 'My page service',
    description: 'CQRS read model: each customer’s bookings, their timelines and notices, built from events.',
    config,
    module: MypageModule.register(config, server),
    errorStatusByCode: { BOOKING_NOT_FOUND: 404 },
    kafka: { server, topics: [Topics.bookingEvents, Topics.paymentEvents, Topics.storageEvents] },
  });
}

void main();

import 'reflect-metadata';
import { Topics } from '@storage/contracts';
import { runDataService } from '@storage/data-service';
import { MypageConfig } from './mypage.config';
import { MypageModule } from './mypage.module';

void runDataService({
  name: 'mypage',
  title: 'My page service',
  description: 'CQRS read model: each customer’s bookings, their timelines and notices, built from events.',
  config: MypageConfig,
  topics: [Topics.bookingEvents, Topics.paymentEvents, Topics.storageEvents],
  module: (config, server) => MypageModule.register(config, server),
});

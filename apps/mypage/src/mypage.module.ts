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
import { MypageHttpController } from './adapters/in/http/mypage.http-controller';
import { SagaEventsKafkaConsumer } from './adapters/in/kafka/saga-events.kafka-consumer';
import {
  BookingTimelineOrmEntity,
  BookingViewOrmEntity,
  NoticeOrmEntity,
} from './adapters/out/persistence/mypage.orm-entities';
import { MypageTypeormRepository } from './adapters/out/persistence/mypage.typeorm-repository';
import { MypageRepository } from './application/ports/mypage.repository.port';
import { ProjectEventHandler } from './application/project-event/project-event.handler';
import { QueryMypageHandler } from './application/query-mypage/query-mypage.handler';
import { CreateMypage1763700000400 } from './migrations/1763700000400-create-mypage';
import type { MypageConfig } from './mypage.config';

@Module({})
export class MypageModule {
  static register(config: MypageConfig, server?: KafkaEventServer): DynamicModule {
    return {
      module: MypageModule,
      imports: [
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          entities: [
            BookingViewOrmEntity,
            BookingTimelineOrmEntity,
            NoticeOrmEntity,
            OutboxMessageOrmEntity,
            InboxMessageOrmEntity,
          ],
          migrations: [MessagingTables1763700000000, CreateMypage1763700000400],
        }),
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: 'mypage',
          databaseUrl: config.DATABASE_URL,
          server,
        }),
        HealthModule.forRoot({ database: true, checkTokens: [KafkaReadinessCheck] }),
      ],
      controllers: [MypageHttpController, SagaEventsKafkaConsumer],
      providers: [
        ProjectEventHandler,
        QueryMypageHandler,
        { provide: MypageRepository, useClass: MypageTypeormRepository },
      ],
    };
  }
}

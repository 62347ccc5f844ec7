import { type DynamicModule, Module } from '@nestjs/common';
import type { KafkaEventServer } from '@storage/messaging';
import { DataServiceModule } from '@storage/data-service';
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
import { BookingViewVersion1765100000400 } from './migrations/1765100000400-booking-view-version';
import type { MypageConfig } from './mypage.config';

@Module({})
export class MypageModule {
  static register(config: MypageConfig, server?: KafkaEventServer): DynamicModule {
    return {
      module: MypageModule,
      imports: [
        DataServiceModule.forRoot({
          name: 'mypage',
          config,
          server,
          entities: [BookingViewOrmEntity, BookingTimelineOrmEntity, NoticeOrmEntity],
          migrations: [CreateMypage1763700000400, BookingViewVersion1765100000400],
        }),
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

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { currentManager, updateRow } from '@storage/persistence';
import { emptyView, type BookingView, type NoticeDraft, type TrackedEvent } from '../../../domain';
import {
  MypageRepository,
  type Notice,
  type Page,
  type TimelineEntry,
} from '../../../application/ports/mypage.repository.port';
import { BookingTimelineOrmEntity, BookingViewOrmEntity, NoticeOrmEntity } from './mypage.orm-entities';

function toView(row: BookingViewOrmEntity): BookingView {
  return row as unknown as BookingView;
}

@Injectable()
export class MypageTypeormRepository extends MypageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async lockView(bookingId: string): Promise<BookingView> {
    const manager = currentManager(this.dataSource);
    const lock = () =>
      manager.findOne(BookingViewOrmEntity, { where: { bookingId }, lock: { mode: 'pessimistic_write' } });
    // Every event but a booking's first finds its view: one statement. The first inserts it (a
    // concurrent first event of the same booking may win that race; ON CONFLICT lets both go on).
    const existing = await lock();
    if (existing) {
      return toView(existing);
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(BookingViewOrmEntity)
      .values(emptyView(bookingId))
      .orIgnore()
      .execute();
    return toView((await lock())!);
  }

  async saveView(view: BookingView): Promise<void> {
    await updateRow(
      currentManager(this.dataSource),
      BookingViewOrmEntity,
      view as unknown as BookingViewOrmEntity,
    );
  }

  async appendTimeline(event: TrackedEvent, summary: string): Promise<boolean> {
    const result = await currentManager(this.dataSource)
      .createQueryBuilder()
      .insert()
      .into(BookingTimelineOrmEntity)
      .values({
        eventId: event.eventId,
        bookingId: event.bookingId,
        type: event.type,
        occurredAt: event.occurredAt,
        summary,
      })
      .orIgnore()
      .returning('event_id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async addNotice(bookingId: string, notice: NoticeDraft, createdAt: string): Promise<void> {
    await currentManager(this.dataSource)
      .createQueryBuilder()
      .insert()
      .into(NoticeOrmEntity)
      .values({ id: randomUUID(), bookingId, ...notice, createdAt })
      .orIgnore()
      .execute();
  }

  async findView(bookingId: string): Promise<(BookingView & { timeline: TimelineEntry[] }) | null> {
    const manager = currentManager(this.dataSource);
    const row = await manager.findOneBy(BookingViewOrmEntity, { bookingId });
    if (!row) {
      return null;
    }
    const timeline = await manager.find(BookingTimelineOrmEntity, {
      where: { bookingId },
      order: { occurredAt: 'ASC', eventId: 'ASC' },
    });
    return {
      ...toView(row),
      timeline: timeline.map(({ eventId, type, occurredAt, summary }) => ({
        eventId,
        type,
        occurredAt,
        summary,
      })),
    };
  }

  async listViews(customerId: string | undefined, page: Page): Promise<BookingView[]> {
    const rows = await currentManager(this.dataSource).find(BookingViewOrmEntity, {
      where: customerId ? { customerId } : {},
      order: { lastEventAt: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return rows.map(toView);
  }

  async listNotices(customerId: string | undefined, page: Page): Promise<Notice[]> {
    return currentManager(this.dataSource).find(NoticeOrmEntity, {
      where: customerId ? { customerId } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
  }
}

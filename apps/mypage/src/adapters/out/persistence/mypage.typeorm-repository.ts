import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { currentManager } from '@storage/persistence';
import { emptyView, type BookingView } from '../../../domain';
import {
  MypageRepository,
  type EventRecord,
  type Notice,
  type Page,
  type RecordOutcome,
  type TimelineEntry,
  type ViewForEvent,
} from '../../../application/ports/mypage.repository.port';
import { BookingTimelineOrmEntity, BookingViewOrmEntity, NoticeOrmEntity } from './mypage.orm-entities';

/**
 * Recording an event is one statement, so one transaction. Parameters: $1 the version the view was
 * read at, $2-$17 the projected view, $18-$21 the timeline entry, $22-$26 the notice (all null
 * when there is none). The view is inserted for a booking's first event and otherwise updated only
 * at the version read and only if the event is not on the timeline yet; the timeline entry is
 * written only if the view was, the notice only if the entry was. It answers whether it recorded,
 * and whether the event was on the timeline before (the statement's snapshot does not see its own
 * entry).
 */
const RECORD_VIEW = {
  first: `INSERT INTO booking_view (booking_id, customer_id, status, status_reason, size, start_date,
            end_date, amount, payment_id, payment_status, refunded_amount, unit_id, unit_code,
            unit_released, unit_changed_at, last_event_at, version)
          VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $1::int + 1)
          ON CONFLICT (booking_id) DO NOTHING
          RETURNING booking_id`,
  next: `UPDATE booking_view
            SET customer_id = $3, status = $4, status_reason = $5, size = $6, start_date = $7,
                end_date = $8, amount = $9, payment_id = $10, payment_status = $11,
                refunded_amount = $12, unit_id = $13, unit_code = $14, unit_released = $15,
                unit_changed_at = $16, last_event_at = $17, version = $1::int + 1
          WHERE booking_id = $2 AND version = $1
            AND NOT EXISTS (SELECT 1 FROM booking_timeline WHERE event_id = $18::uuid)
          RETURNING booking_id`,
};
const RECORD_ENTRY_AND_NOTICE = `
  recorded_entry AS (
    INSERT INTO booking_timeline (event_id, booking_id, type, occurred_at, summary)
    SELECT $18::uuid, booking_id, $19::varchar, $20::varchar, $21::text FROM recorded_view
    RETURNING booking_id),
  recorded_notice AS (
    INSERT INTO notice (id, booking_id, customer_id, kind, message, created_at)
    SELECT $22::uuid, booking_id, $23::varchar, $24::varchar, $25::text, $26::varchar
      FROM recorded_entry
     WHERE $22::uuid IS NOT NULL
    ON CONFLICT DO NOTHING)
  SELECT EXISTS (SELECT 1 FROM recorded_view) AS recorded,
         EXISTS (SELECT 1 FROM booking_timeline WHERE event_id = $18::uuid) AS already_recorded`;
const RECORD = {
  first: `WITH recorded_view AS (${RECORD_VIEW.first}), ${RECORD_ENTRY_AND_NOTICE}`,
  next: `WITH recorded_view AS (${RECORD_VIEW.next}), ${RECORD_ENTRY_AND_NOTICE}`,
};

// Dates as the 'YYYY-MM-DD' text the domain holds (node-postgres would make them local Dates).
const VIEW_FOR_EVENT = `
  SELECT EXISTS (SELECT 1 FROM booking_timeline WHERE event_id = $2) AS recorded, v.version,
         v.customer_id, v.status, v.status_reason, v.size, v.start_date::text AS start_date,
         v.end_date::text AS end_date, v.amount, v.payment_id, v.payment_status, v.refunded_amount,
         v.unit_id, v.unit_code, v.unit_released, v.unit_changed_at, v.last_event_at
    FROM (SELECT 1) AS one LEFT JOIN booking_view v ON v.booking_id = $1`;

function toView(row: BookingViewOrmEntity): BookingView {
  const { version: _version, ...view } = row;
  return view as BookingView;
}

/** node-postgres' row: bigints as strings; the view's columns null while it has no row. */
interface ViewRow {
  recorded: boolean;
  version: number | null;
  customer_id: string | null;
  status: BookingView['status'];
  status_reason: string | null;
  size: string | null;
  start_date: string | null;
  end_date: string | null;
  amount: string | null;
  payment_id: string | null;
  payment_status: BookingView['paymentStatus'];
  refunded_amount: string | null;
  unit_id: string | null;
  unit_code: string | null;
  unit_released: boolean | null;
  unit_changed_at: string | null;
  last_event_at: string | null;
}
function fromRow(bookingId: string, row: ViewRow): BookingView {
  const count = (value: string | null) => (value === null ? null : Number(value));
  return {
    bookingId,
    customerId: row.customer_id,
    status: row.status,
    statusReason: row.status_reason,
    size: row.size,
    startDate: row.start_date,
    endDate: row.end_date,
    amount: count(row.amount),
    paymentId: row.payment_id,
    paymentStatus: row.payment_status,
    refundedAmount: count(row.refunded_amount),
    unitId: row.unit_id,
    unitCode: row.unit_code,
    unitReleased: row.unit_released === true,
    unitChangedAt: row.unit_changed_at,
    lastEventAt: row.last_event_at,
  };
}

@Injectable()
export class MypageTypeormRepository extends MypageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async viewForEvent(bookingId: string, eventId: string): Promise<ViewForEvent> {
    const [row] = await this.dataSource.query<ViewRow[]>(VIEW_FOR_EVENT, [bookingId, eventId]);
    return row.version === null
      ? { view: emptyView(bookingId), version: null, recorded: row.recorded }
      : { view: fromRow(bookingId, row), version: row.version, recorded: row.recorded };
  }

  async record({ view, version, entry, notice }: EventRecord): Promise<RecordOutcome> {
    const [outcome] = await this.dataSource.query<{ recorded: boolean; already_recorded: boolean }[]>(
      version === null ? RECORD.first : RECORD.next,
      [
        version ?? 0,
        view.bookingId,
        view.customerId,
        view.status,
        view.statusReason,
        view.size,
        view.startDate,
        view.endDate,
        view.amount,
        view.paymentId,
        view.paymentStatus,
        view.refundedAmount,
        view.unitId,
        view.unitCode,
        view.unitReleased,
        view.unitChangedAt,
        view.lastEventAt,
        entry.eventId,
        entry.type,
        entry.occurredAt,
        entry.summary,
        notice && randomUUID(),
        notice?.customerId ?? null,
        notice?.kind ?? null,
        notice?.message ?? null,
        notice?.createdAt ?? null,
      ],
    );
    return outcome.recorded ? 'recorded' : outcome.already_recorded ? 'already-recorded' : 'version-moved';
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

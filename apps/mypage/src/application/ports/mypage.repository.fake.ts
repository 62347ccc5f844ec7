import { randomUUID } from 'node:crypto';
import { emptyView, type BookingView } from '../../domain';
import {
  MypageRepository,
  type EventRecord,
  type Notice,
  type Page,
  type RecordOutcome,
  type TimelineEntry,
  type ViewForEvent,
} from './mypage.repository.port';

/**
 * The read model's tables in memory, for handler tests: what the TypeORM repository does, without
 * a database. A record lands only at the version it was read at, and only for an event not on the
 * timeline yet; a notice once per booking and kind. Counts reads and records.
 */
export class InMemoryMypage extends MypageRepository {
  readonly views = new Map<string, { view: BookingView; version: number }>();
  readonly timeline: (TimelineEntry & { bookingId: string })[] = [];
  readonly notices: Notice[] = [];
  reads = 0;
  records = 0;
  /** Runs between a read and the record that follows it: another consumer's event lands there. */
  beforeRecord?: () => Promise<void>;

  viewForEvent(bookingId: string, eventId: string): Promise<ViewForEvent> {
    this.reads += 1;
    const stored = this.views.get(bookingId);
    return Promise.resolve({
      view: stored ? { ...stored.view } : emptyView(bookingId),
      version: stored?.version ?? null,
      recorded: this.timeline.some((entry) => entry.eventId === eventId),
    });
  }

  async record({ view, version, entry, notice }: EventRecord): Promise<RecordOutcome> {
    const interleaved = this.beforeRecord;
    this.beforeRecord = undefined;
    await interleaved?.();
    this.records += 1;
    if (this.timeline.some(({ eventId }) => eventId === entry.eventId)) {
      return 'already-recorded';
    }
    if ((this.views.get(view.bookingId)?.version ?? null) !== version) {
      return 'version-moved';
    }
    this.views.set(view.bookingId, { view, version: (version ?? 0) + 1 });
    this.timeline.push({ ...entry, bookingId: view.bookingId });
    const { bookingId } = view;
    if (notice && !this.notices.some((kept) => kept.bookingId === bookingId && kept.kind === notice.kind)) {
      this.notices.push({ id: randomUUID(), bookingId, ...notice });
    }
    return 'recorded';
  }

  findView(bookingId: string) {
    const stored = this.views.get(bookingId);
    if (!stored) {
      return Promise.resolve(null);
    }
    const timeline = this.timeline
      .filter((entry) => entry.bookingId === bookingId)
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId))
      .map(({ eventId, type, occurredAt, summary }) => ({ eventId, type, occurredAt, summary }));
    return Promise.resolve({ ...stored.view, timeline });
  }

  listViews(customerId: string | undefined, page: Page) {
    return Promise.resolve(
      [...this.views.values()]
        .map(({ view }) => view)
        .filter((view) => (customerId ?? view.customerId) === view.customerId)
        .sort((a, b) => (b.lastEventAt ?? '').localeCompare(a.lastEventAt ?? ''))
        .slice(page.offset, page.offset + page.limit),
    );
  }

  listNotices(customerId: string | undefined, page: Page) {
    return Promise.resolve(
      this.notices
        .filter((notice) => (customerId ?? notice.customerId) === notice.customerId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
        .slice(page.offset, page.offset + page.limit),
    );
  }
}

import type { BookingView, NoticeDraft } from '../../domain';

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  summary: string;
}

export interface Notice {
  id: string;
  bookingId: string;
  customerId: string;
  kind: string;
  message: string;
  createdAt: string;
}

export interface Page {
  limit: number;
  offset: number;
}

/** A booking's view as one event finds it. */
export interface ViewForEvent {
  /** The stored view, or an empty one for the booking's first event. */
  view: BookingView;
  /** The row's version; null while the booking has no row yet. */
  version: number | null;
  /** The event is on the timeline already: it was recorded before (a redelivery). */
  recorded: boolean;
}

/** What one event changes: the projected view, its timeline entry and perhaps a notice. */
export interface EventRecord {
  view: BookingView;
  /** The version the view was projected from (null: no row yet). */
  version: number | null;
  entry: TimelineEntry;
  notice: (NoticeDraft & { createdAt: string }) | null;
}

/**
 * What became of a record: written; refused because another event of the booking was recorded
 * since the view was read (its version moved on); refused because the event is on the timeline
 * already (a redelivery). A refused record wrote nothing.
 */
export type RecordOutcome = 'recorded' | 'version-moved' | 'already-recorded';

/** The read model's own tables. */
export abstract class MypageRepository {
  abstract viewForEvent(bookingId: string, eventId: string): Promise<ViewForEvent>;
  /**
   * Writes the record at once (one statement), only if the view is still at `record.version` and
   * the event is not on the timeline yet. Notices are idempotent per (booking, kind).
   */
  abstract record(record: EventRecord): Promise<RecordOutcome>;

  abstract findView(bookingId: string): Promise<(BookingView & { timeline: TimelineEntry[] }) | null>;
  abstract listViews(customerId: string | undefined, page: Page): Promise<BookingView[]>;
  abstract listNotices(customerId: string | undefined, page: Page): Promise<Notice[]>;
}

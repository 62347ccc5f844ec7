import type { BookingView, NoticeDraft, TrackedEvent } from '../../domain';

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

/** The read model's own tables. */
export abstract class MypageRepository {
  /** The view row, created empty when missing, locked for the rest of the unit of work. */
  abstract lockView(bookingId: string): Promise<BookingView>;
  abstract saveView(view: BookingView): Promise<void>;
  /** False when this event is already on the timeline (a redelivery). */
  abstract appendTimeline(event: TrackedEvent, summary: string): Promise<boolean>;
  /** Idempotent per (booking, kind). */
  abstract addNotice(bookingId: string, notice: NoticeDraft, createdAt: string): Promise<void>;

  abstract findView(bookingId: string): Promise<(BookingView & { timeline: TimelineEntry[] }) | null>;
  abstract listViews(customerId: string | undefined, page: Page): Promise<BookingView[]>;
  abstract listNotices(customerId: string | undefined, page: Page): Promise<Notice[]>;
}

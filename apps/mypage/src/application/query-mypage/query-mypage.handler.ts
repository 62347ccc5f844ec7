import { Injectable } from '@nestjs/common';
import { canSee, customerScope, type Actor } from '@storage/ddd';
import { BookingViewNotFoundError, type BookingView } from '../../domain';
import {
  MypageRepository,
  type Notice,
  type Page,
  type TimelineEntry,
} from '../ports/mypage.repository.port';

/** Every read is scoped by the actor: a customer sees only their own bookings and notices. */
@Injectable()
export class QueryMypageHandler {
  constructor(private readonly repository: MypageRepository) {}

  async booking(bookingId: string, actor: Actor): Promise<BookingView & { timeline: TimelineEntry[] }> {
    const view = await this.repository.findView(bookingId);
    if (!view || !canSee(actor, view.customerId)) {
      throw new BookingViewNotFoundError(bookingId);
    }
    return view;
  }

  /** A trusted reader may ask for one customer's (`customerId`) or everyone's. */
  bookings(query: Page & { customerId?: string }, actor: Actor): Promise<BookingView[]> {
    return this.repository.listViews(customerScope(actor, query.customerId), query);
  }

  notices(query: Page & { customerId?: string }, actor: Actor): Promise<Notice[]> {
    return this.repository.listNotices(customerScope(actor, query.customerId), query);
  }
}

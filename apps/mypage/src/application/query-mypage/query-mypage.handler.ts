import { Injectable } from '@nestjs/common';
import { BookingViewNotFoundError, type BookingView } from '../../domain';
import {
  MypageRepository,
  type Notice,
  type Page,
  type TimelineEntry,
} from '../ports/mypage.repository.port';

/** `customerId` scopes every read to one customer; undefined means a trusted (staff) reader. */
@Injectable()
export class QueryMypageHandler {
  constructor(private readonly repository: MypageRepository) {}

  async booking(
    bookingId: string,
    customerId: string | undefined,
  ): Promise<BookingView & { timeline: TimelineEntry[] }> {
    const view = await this.repository.findView(bookingId);
    if (!view || (customerId !== undefined && view.customerId !== customerId)) {
      throw new BookingViewNotFoundError(bookingId);
    }
    return view;
  }

  bookings(customerId: string | undefined, page: Page): Promise<BookingView[]> {
    return this.repository.listViews(customerId, page);
  }

  notices(customerId: string | undefined, page: Page): Promise<Notice[]> {
    return this.repository.listNotices(customerId, page);
  }
}

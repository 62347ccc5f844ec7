import { Inject, Injectable } from '@nestjs/common';
import {
  bookablePeriod,
  priceOf,
  SizeNotOfferedError,
  type BookingSnapshot,
  type UnitSize,
} from '../../domain';
import { Catalogue } from '../ports/catalogue.port';
import { BOOKING_RULES, type BookingRules } from '../place-booking/place-booking.handler';

/** The priced part of a booking, the same fields a placed booking carries. */
export type Quote = Pick<BookingSnapshot, 'size' | 'startDate' | 'endDate' | 'days' | 'dailyRate' | 'amount'>;

/** What a booking would cost, by the same rules and price list as placing it (nothing reserved). */
@Injectable()
export class QueryQuotesHandler {
  constructor(
    private readonly catalogue: Catalogue,
    @Inject(BOOKING_RULES) private readonly rules: BookingRules,
  ) {}

  async quote(size: UnitSize, startDate: string, endDate: string): Promise<Quote> {
    const period = bookablePeriod(startDate, endDate, this.rules.maxRentalDays);
    const dailyRate = await this.catalogue.dailyRate(size);
    if (dailyRate === null) {
      throw new SizeNotOfferedError(size);
    }
    return {
      size,
      startDate,
      endDate,
      days: period.days,
      dailyRate,
      amount: priceOf(dailyRate, period, this.rules.maxAmount),
    };
  }
}

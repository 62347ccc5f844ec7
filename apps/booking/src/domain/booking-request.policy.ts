import { RentalPeriod, todayUtc } from '@storage/ddd';
import { AmountTooLargeError, RentalTooLongError, StartDateInPastError } from './booking.errors';

/** What a bookable period is: starts today or later, ends after it starts, lasts at most maxDays. */
export function bookablePeriod(
  startDate: string,
  endDate: string,
  maxDays: number,
  now = new Date(),
): RentalPeriod {
  const period = RentalPeriod.of(startDate, endDate);
  const today = todayUtc(now);
  if (period.startDate < today) {
    throw new StartDateInPastError(period.startDate, today);
  }
  if (period.days > maxDays) {
    throw new RentalTooLongError(period.days, maxDays);
  }
  return period;
}

/** The price of a period at a daily rate, refused above what one charge may carry. */
export function priceOf(dailyRate: number, period: RentalPeriod, maxAmount: number): number {
  const amount = dailyRate * period.days;
  if (amount > maxAmount) {
    throw new AmountTooLargeError(amount, maxAmount);
  }
  return amount;
}

import { DomainError } from './domain-error';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export class InvalidPeriodError extends DomainError {
  readonly code = 'INVALID_PERIOD';
  readonly status = 400;
}

function parseDate(value: string, field: string): number {
  const time = Date.parse(`${value}T00:00:00Z`);
  if (!ISO_DATE.test(value) || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw new InvalidPeriodError(`${field} must be a calendar date YYYY-MM-DD`, { field, value });
  }
  return time;
}

/**
 * A rental period of whole days, half-open: [startDate, endDate). The unit is free again on the
 * end date, so back-to-back rentals share that day without overlapping; it is billed end - start
 * days. Shared kernel: booking prices it, storage-assign reserves it.
 */
export class RentalPeriod {
  private constructor(
    readonly startDate: string,
    readonly endDate: string,
    readonly days: number,
  ) {}

  static of(startDate: string, endDate: string): RentalPeriod {
    const start = parseDate(startDate, 'startDate');
    const end = parseDate(endDate, 'endDate');
    if (end <= start) {
      throw new InvalidPeriodError('endDate must be after startDate', { startDate, endDate });
    }
    return new RentalPeriod(startDate, endDate, Math.round((end - start) / DAY_MS));
  }

  overlaps(other: RentalPeriod): boolean {
    return this.startDate < other.endDate && other.startDate < this.endDate;
  }
}

/** Today's date in UTC as YYYY-MM-DD; business days are UTC dates throughout. */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

import { InvalidPeriodError, RentalPeriod, todayUtc } from './rental-period';

describe('RentalPeriod', () => {
  it('counts billed days of a half-open period', () => {
    expect(RentalPeriod.of('2030-01-01', '2030-01-31').days).toBe(30);
    expect(RentalPeriod.of('2030-02-28', '2030-03-01').days).toBe(1);
  });

  it('lets back-to-back rentals share the hand-over day', () => {
    const first = RentalPeriod.of('2030-01-01', '2030-01-10');
    expect(first.overlaps(RentalPeriod.of('2030-01-10', '2030-01-20'))).toBe(false);
    expect(first.overlaps(RentalPeriod.of('2030-01-09', '2030-01-20'))).toBe(true);
    expect(first.overlaps(RentalPeriod.of('2029-12-01', '2030-01-02'))).toBe(true);
  });

  it.each([
    ['2030-01-10', '2030-01-10', 'endDate must be after startDate'],
    ['2030-01-10', '2030-01-09', 'endDate must be after startDate'],
    ['2030-02-30', '2030-03-01', 'startDate must be a calendar date'],
    ['2030-1-1', '2030-03-01', 'startDate must be a calendar date'],
    ['2030-01-01', 'tomorrow', 'endDate must be a calendar date'],
  ])('rejects %s .. %s', (start, end, message) => {
    expect(() => RentalPeriod.of(start, end)).toThrow(InvalidPeriodError);
    expect(() => RentalPeriod.of(start, end)).toThrow(message);
  });

  it('takes today in UTC', () => {
    expect(todayUtc(new Date('2030-05-06T23:59:59Z'))).toBe('2030-05-06');
  });
});

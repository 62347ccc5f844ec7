import { HeldRefusals } from './held-refusals';

const BOOK = 'POST booking/bookings';
const busy = { error: 'PAYMENT_UNAVAILABLE', message: 'Payment is busy' };

describe('held refusals', () => {
  it('answers the held refusal until the hold ends, then nothing', () => {
    const held = new HeldRefusals<typeof busy>(1000);
    held.hold(BOOK, 50, { body: busy, retryAfterS: 2 }, 10_000);
    expect(held.refusal(BOOK, 10_000)).toEqual({ body: busy, retryAfterS: 2 });
    expect(held.refusal(BOOK, 10_049)?.body).toBe(busy);
    expect(held.refusal(BOOK, 10_050)).toBeUndefined();
    // Gone for good, not only hidden: a later clock does not bring it back.
    expect(held.refusal(BOOK, 10_049)).toBeUndefined();
  });

  it('holds per operation: another method or path still reaches the service', () => {
    const held = new HeldRefusals<typeof busy>(1000);
    held.hold(BOOK, 500, { body: busy }, 0);
    expect(held.refusal('GET booking/bookings', 1)).toBeUndefined();
    expect(held.refusal('POST booking/bookings/b-1/cancel', 1)).toBeUndefined();
    expect(held.refusal('POST payment/bookings', 1)).toBeUndefined();
    expect(held.refusal(BOOK, 1)).toEqual({ body: busy, retryAfterS: undefined });
  });

  it('holds no longer than its own limit, whatever the service asks; 0 holds nothing', () => {
    const capped = new HeldRefusals<typeof busy>(1000);
    capped.hold(BOOK, 60_000, { body: busy }, 0);
    expect(capped.refusal(BOOK, 999)).toBeDefined();
    expect(capped.refusal(BOOK, 1000)).toBeUndefined();

    const off = new HeldRefusals<typeof busy>(0);
    off.hold(BOOK, 50, { body: busy }, 0);
    expect(off.refusal(BOOK, 0)).toBeUndefined();
  });

  it('ignores a hold that is not a positive number of ms', () => {
    const held = new HeldRefusals<typeof busy>(1000);
    for (const holdMs of [0, -5, Number.NaN]) {
      held.hold(BOOK, holdMs, { body: busy }, 0);
      expect(held.refusal(BOOK, 0)).toBeUndefined();
    }
  });

  it('keeps pointing Retry-After at the moment the service named', () => {
    const held = new HeldRefusals<typeof busy>(10_000);
    held.hold(BOOK, 10_000, { body: busy, retryAfterS: 3 }, 0);
    expect(held.refusal(BOOK, 400)?.retryAfterS).toBe(3);
    expect(held.refusal(BOOK, 2500)?.retryAfterS).toBe(1);
    // Past that moment but still held: retry as soon as allowed, never "0" or negative.
    expect(held.refusal(BOOK, 5000)?.retryAfterS).toBe(1);
  });

  it('a new refusal replaces the held one, and expired ones are swept as operations pile up', () => {
    const held = new HeldRefusals<typeof busy>(1000);
    held.hold(BOOK, 50, { body: busy, retryAfterS: 1 }, 0);
    const later = { error: 'PAYMENT_UNAVAILABLE', message: 'circuit open' };
    held.hold(BOOK, 100, { body: later, retryAfterS: 5 }, 40);
    expect(held.refusal(BOOK, 120)).toEqual({ body: later, retryAfterS: 5 });

    for (let index = 0; index < 200; index += 1) {
      held.hold(`POST booking/path-${index}`, 10, { body: busy }, index * 100);
    }
    // Each hold ended before the next began: only the last few are still in the map.
    expect((held as unknown as { held: Map<string, unknown> }).held.size).toBeLessThan(70);
  });
});

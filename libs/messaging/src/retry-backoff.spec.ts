import { retryBackoffMs } from './retry-backoff';

describe('retryBackoffMs', () => {
  it('doubles per attempt between half and all of the ceiling', () => {
    expect(retryBackoffMs(1, 200, 10_000, () => 0)).toBe(100);
    expect(retryBackoffMs(1, 200, 10_000, () => 1)).toBe(200);
    expect(retryBackoffMs(3, 200, 10_000, () => 0)).toBe(400);
    expect(retryBackoffMs(3, 200, 10_000, () => 1)).toBe(800);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [10, 50, 1000]) {
      expect(retryBackoffMs(attempt, 200, 10_000, () => 1)).toBe(10_000);
      expect(retryBackoffMs(attempt, 200, 10_000, () => 0)).toBe(5_000);
    }
  });

  it('spreads replicas out (jitter)', () => {
    const waits = new Set(Array.from({ length: 20 }, () => retryBackoffMs(5, 200, 10_000)));
    expect(waits.size).toBeGreaterThan(1);
  });
});

/**
 * Capped exponential back-off with "equal jitter": the n-th wait is between half and all of
 * min(cap, base * 2^(n-1)), so replicas retrying the same outage spread out instead of
 * hammering a recovering database in lock-step, and no wait is ever near zero.
 */
export function retryBackoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

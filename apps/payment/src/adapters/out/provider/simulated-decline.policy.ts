/**
 * The simulated provider's deterministic decline rules, so tests and demos can force a decline
 * without randomness: a method named `card-declined`, or an amount over the single-charge limit.
 */
export const DECLINING_METHOD = 'card-declined';

export function declineReasonFor(amount: number, method: string, singleChargeLimit: number): string | null {
  if (method === DECLINING_METHOD) {
    return 'CARD_DECLINED';
  }
  if (amount > singleChargeLimit) {
    return 'LIMIT_EXCEEDED';
  }
  return null;
}

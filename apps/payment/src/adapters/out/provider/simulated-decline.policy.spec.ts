import { declineReasonFor } from './simulated-decline.policy';

describe('declineReasonFor', () => {
  it('declines the test method and amounts over the limit, deterministically', () => {
    expect(declineReasonFor(100, 'card-declined', 1000)).toBe('CARD_DECLINED');
    expect(declineReasonFor(1001, 'card', 1000)).toBe('LIMIT_EXCEEDED');
    expect(declineReasonFor(1000, 'card', 1000)).toBeNull();
  });
});

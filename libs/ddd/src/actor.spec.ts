import { canSee, customerScope, TRUSTED, type Actor } from './actor';

const alice: Actor = { kind: 'customer', customerId: 'alice' };

describe('Actor', () => {
  it('lets a customer see only their own data, and a trusted actor everything', () => {
    expect(canSee(alice, 'alice')).toBe(true);
    expect(canSee(alice, 'bob')).toBe(false);
    expect(canSee(alice, null)).toBe(false);
    expect(canSee(TRUSTED, 'bob')).toBe(true);
    expect(canSee(TRUSTED, null)).toBe(true);
  });

  it("scopes a customer's request to themselves whatever they asked for", () => {
    expect(customerScope(alice, 'bob')).toBe('alice');
    expect(customerScope(alice)).toBe('alice');
    expect(customerScope(TRUSTED, 'bob')).toBe('bob');
    expect(customerScope(TRUSTED)).toBeUndefined();
  });
});

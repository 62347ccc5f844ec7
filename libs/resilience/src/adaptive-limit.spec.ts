import { AdaptiveLimit } from './adaptive-limit';

/** A limit whose dependency has answered for a while: grown from its floor to its ceiling. */
function grown(floor: number, ceiling: number, cutAboveFailureRate: number): AdaptiveLimit {
  const limit = new AdaptiveLimit(floor, ceiling, cutAboveFailureRate, 0);
  while (limit.limit < ceiling) {
    limit.record(false, 0, 0);
  }
  return limit;
}

describe('AdaptiveLimit', () => {
  it('starts from its floor, one more call per success, up to its ceiling while calls succeed', () => {
    const limit = new AdaptiveLimit(4, 50, 0.25, 0);
    expect(limit.limit).toBe(4);
    limit.record(false, 0, 1);
    expect(limit.limit).toBe(5);
    for (let i = 0; i < 45; i += 1) {
      limit.record(false, i, i);
    }
    expect(limit.limit).toBe(50);
    for (let i = 0; i < 1000; i += 1) {
      limit.record(false, i, i);
    }
    expect(limit.limit).toBe(50);
  });

  it('ignores the odd failure, and cuts by a quarter once the recent failure rate passes its threshold', () => {
    const limit = grown(4, 50, 0.25);
    limit.record(true, 1, 1);
    expect(limit.limit).toBe(50);
    for (let i = 0; i < 20; i += 1) {
      limit.record(false, 2, 2);
    }
    // Failures in a row: the moving rate passes 0.25 after a handful, then the first cut.
    let time = 10;
    while (limit.limit === 50) {
      time += 1;
      limit.record(true, time, time);
    }
    expect(limit.limit).toBe(37);
  });

  it('cuts once per round: the failures of one burst, sent under the old limit, cut it once', () => {
    const limit = grown(4, 40, 0.25);
    for (let i = 0; i < 10; i += 1) {
      limit.record(true, 100, 1000 + i);
    }
    expect(limit.limit).toBe(30);
    // A call sent after that cut fails too: the next cut.
    limit.record(true, 1010, 2000);
    expect(limit.limit).toBe(22);
  });

  it('never goes below its floor, and grows back by about one call per round of successes', () => {
    const limit = grown(4, 50, 0.25);
    for (let i = 0; i < 100; i += 1) {
      limit.record(true, i, i);
    }
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 4 + 5; i += 1) {
      limit.record(false, 200 + i, 200 + i);
    }
    expect(limit.limit).toBe(5);
  });

  it('after the circuit was open, finds the level again fast: one more call per success until the first cut', () => {
    const limit = new AdaptiveLimit(4, 50, 0.25);
    limit.reset(0);
    for (let i = 1; i <= 12; i += 1) {
      limit.record(false, i, i);
    }
    expect(limit.limit).toBe(16);
    // Failures in a row until the rate passes the threshold: one cut, and growth slows down again.
    let time = 100;
    while (limit.limit === 16) {
      time += 1;
      limit.record(true, time, time);
    }
    expect(limit.limit).toBe(12);
    for (let i = 0; i < 12; i += 1) {
      limit.record(false, 1000 + i, 1000 + i);
    }
    expect(limit.limit).toBe(12);
  });

  it('says it is still finding the level from a start until its first cut or its ceiling, and again after a reset', () => {
    const limit = new AdaptiveLimit(4, 8, 0.25, 0);
    expect(limit.findingLevel).toBe(true);
    for (let i = 1; i <= 4; i += 1) {
      limit.record(false, i, i);
    }
    // At the ceiling nothing is left to find: the bulkhead decides.
    expect(limit.limit).toBe(8);
    expect(limit.findingLevel).toBe(false);
    limit.reset(10);
    expect(limit.findingLevel).toBe(true);
    let time = 10;
    while (limit.findingLevel) {
      time += 1;
      limit.record(true, time, time);
    }
    // A cut ends it: failing calls are a finding, not the absence of one.
    expect(limit.limit).toBe(4);
    expect(limit.findingLevel).toBe(false);
    limit.record(false, time + 1, time + 1);
    expect(limit.findingLevel).toBe(false);
  });

  it('starts again from its floor when the circuit opens', () => {
    const limit = new AdaptiveLimit(4, 50, 0.25);
    limit.reset(10);
    expect(limit.limit).toBe(4);
    // A failure of a call sent before the reset does not cut below it (and is not a new round).
    limit.record(true, 5, 11);
    expect(limit.limit).toBe(4);
  });
});

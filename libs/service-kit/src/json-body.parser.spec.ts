import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-body.parser';

const nested = (depth: number) => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('jsonNestingExceeds', () => {
  it('lets ordinary bodies through, up to the limit', () => {
    expect(jsonNestingExceeds(Buffer.from('{"size":"M","a":[1,{"b":[2]}]}'), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
  });

  it('stops a body one level deeper, and a 20,000-deep one', () => {
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestingExceeds(nested(20_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = `{"note":"${'['.repeat(100)} \\" ${'{'.repeat(100)}"}`;
    expect(jsonNestingExceeds(Buffer.from(text), MAX_JSON_DEPTH)).toBe(false);
  });
});

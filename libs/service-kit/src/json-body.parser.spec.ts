import {
  encodedBody,
  jsonNestingExceeds,
  MAX_JSON_DEPTH,
  unsupportedMediaTypeMessage,
} from './json-body.parser';

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

describe('encodedBody', () => {
  it('takes a body without Content-Encoding, or with identity, as plain', () => {
    expect(encodedBody(undefined)).toBe(false);
    expect(encodedBody('identity')).toBe(false);
    expect(encodedBody(' Identity ')).toBe(false);
    expect(encodedBody('')).toBe(false);
  });

  it('finds any other coding, listed alone or with others', () => {
    expect(encodedBody('gzip')).toBe(true);
    expect(encodedBody('br')).toBe(true);
    expect(encodedBody('identity, gzip')).toBe(true);
    expect(encodedBody('x-unknown')).toBe(true);
  });
});

describe('unsupportedMediaTypeMessage', () => {
  it('names the media type sent, without its parameters, and the one accepted', () => {
    expect(unsupportedMediaTypeMessage('text/plain; charset=utf-8')).toBe(
      'Content-Type text/plain is not accepted; send application/json',
    );
    expect(unsupportedMediaTypeMessage(undefined)).toBe('A body needs Content-Type application/json');
    expect(unsupportedMediaTypeMessage(`a/${'b'.repeat(500)}`).length).toBeLessThan(140);
  });
});

import {
  duplicateJsonKey,
  encodedBody,
  jsonBodyRefusal,
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

describe('duplicateJsonKey', () => {
  it('names the first key given twice in one object, by its path', () => {
    expect(duplicateJsonKey('{"size":"M","size":"L"}')).toBe('size');
    expect(duplicateJsonKey('{"a":1,"b":{"c":1,"c":2}}')).toBe('b.c');
    expect(duplicateJsonKey('{"a":[{"x":1},{"x":1,"x":2}]}')).toBe('a[1].x');
    expect(duplicateJsonKey(' [ 1 , { "k" : true , "k" : null } ] ')).toBe('[1].k');
  });

  it('reads keys as JSON does: an escaped spelling is the same key', () => {
    expect(duplicateJsonKey('{"\\u0073ize":1,"size":2}')).toBe('size');
    expect(duplicateJsonKey('{"a\\"b":1,"a\\u0022b":2}')).toBe('a"b');
  });

  it('lets through bodies whose keys repeat only across objects, or inside strings', () => {
    expect(duplicateJsonKey('[{"a":1},{"a":1}]')).toBeUndefined();
    expect(duplicateJsonKey('{"a":{"a":{"a":1}}}')).toBeUndefined();
    expect(duplicateJsonKey('{"a":"}\\",\\"a\\":{","b":"a"}')).toBeUndefined();
    expect(
      duplicateJsonKey('{"a":{},"b":[],"c":[1,-2.5e3,{"d":null}],"e":true,"f":false,"g":"x"}'),
    ).toBeUndefined();
    for (const scalar of ['"x"', '1', 'null', '{}', '[]']) {
      expect(duplicateJsonKey(scalar)).toBeUndefined();
    }
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

describe('jsonBodyRefusal', () => {
  const refusal = (text: string) => {
    const error = jsonBodyRefusal(text) as Error & { statusCode: number; code: string };
    return { status: error.statusCode, code: error.code, message: error.message };
  };

  it('says a body of whitespace holds nothing', () => {
    expect(refusal('  \n')).toEqual({
      status: 400,
      code: 'EMPTY_JSON_BODY',
      message: 'The body holds only whitespace; send a JSON object, or no body at all',
    });
  });

  it("names where a body stops being JSON, in the parser's words", () => {
    const cut = refusal('{"size":"M",');
    expect(cut.status).toBe(400);
    expect(cut.code).toBe('INVALID_JSON');
    expect(cut.message).toMatch(/^The body is not valid JSON: ./);
    expect(refusal("{'size':'M'}").message).toContain('position 1');
  });

  it('keeps a long body out of the message', () => {
    expect(refusal(`{"a":"${'x'.repeat(10_000)}`).message.length).toBeLessThan(260);
  });

  it('names the forbidden keys of a body that is valid JSON', () => {
    for (const text of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"a":1}}}']) {
      expect(refusal(text)).toEqual({
        status: 400,
        code: 'FORBIDDEN_JSON_KEY',
        message: 'The body may not hold a "__proto__" key nor a "constructor" object with a "prototype" key',
      });
    }
  });
});

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';

/** Deeper than any body this platform accepts; far below what would exhaust the stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests objects/arrays deeper than `max`, found by one scan of the bytes
 * (brackets inside strings do not count) before anything is parsed: a 20,000-deep array would
 * otherwise get through the parser and overflow the stack of the validation that follows.
 */
export function jsonNestingExceeds(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) {
        i += 1;
      } else if (byte === 0x22) {
        inString = false;
      }
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > max) {
        return true;
      }
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The first key written twice in one object of a valid JSON text (`{"size":"M","size":"L"}`), as
 * its path (`size`, `items[0].name`), or undefined. JSON.parse keeps the last one without a word,
 * so the body would mean something other than what part of it says; a client sending that has a
 * bug worth hearing about. One pass over the text; nesting is bounded before (MAX_JSON_DEPTH).
 */
export function duplicateJsonKey(text: string): string | undefined {
  let i = 0;
  const skipWhitespace = (): void => {
    while (WHITESPACE.has(text.charCodeAt(i))) i += 1;
  };
  const readString = (): string => {
    const start = i;
    let escaped = false;
    for (i += 1; text.charCodeAt(i) !== 0x22; i += text.charCodeAt(i) === 0x5c ? 2 : 1) {
      escaped ||= text.charCodeAt(i) === 0x5c;
    }
    i += 1;
    // "\u0073ize" is "size": escapes are read as JSON reads them.
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  /** At an opening bracket: steps in, and past the closing one at once when the two are a pair. */
  const opensEmpty = (close: number): boolean => {
    i += 1;
    skipWhitespace();
    const empty = text.charCodeAt(i) === close;
    if (empty) i += 1;
    return empty;
  };
  /** After a member or an element: steps past the ',' or the closing bracket, saying which. */
  const closes = (close: number): boolean => {
    skipWhitespace();
    i += 1;
    return text.charCodeAt(i - 1) === close;
  };
  const value = (path: string): string | undefined => {
    skipWhitespace();
    const char = text.charCodeAt(i);
    if (char === 0x7b) {
      const keys = new Set<string>();
      for (let done = opensEmpty(0x7d); !done; done = closes(0x7d)) {
        skipWhitespace();
        const key = readString();
        const keyPath = path === '' ? key : `${path}.${key}`;
        if (keys.has(key)) return keyPath;
        keys.add(key);
        skipWhitespace();
        i += 1; // ':'
        const found = value(keyPath);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (char === 0x5b) {
      for (let index = 0, done = opensEmpty(0x5d); !done; index += 1, done = closes(0x5d)) {
        const found = value(`${path}[${index}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (char === 0x22) {
      readString();
      return undefined;
    }
    // A number, true, false or null: up to the next separator.
    while (i < text.length && !WHITESPACE.has(text.charCodeAt(i)) && !',}]'.includes(text[i])) i += 1;
    return undefined;
  };
  return value('');
}

/**
 * Whether a request's body is sent compressed (or otherwise encoded). Nothing here decodes
 * bodies: read as JSON, a gzip body would be "not valid JSON", and a plain one labelled gzip
 * would be taken as if the label were not there.
 */
export function encodedBody(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && !/^\s*(identity\s*)?$/i.test(contentEncoding);
}

/** A refusal of the body in the shape Fastify hands to the error filter (status and code kept). */
function bodyRefusal(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/** Names the type that was sent (its media type only, no parameters) and the one accepted. */
export function unsupportedMediaTypeMessage(contentType: string | undefined): string {
  const mediaType = (contentType ?? '').split(';')[0].trim().slice(0, 80);
  return mediaType === ''
    ? 'A body needs Content-Type application/json'
    : `Content-Type ${mediaType} is not accepted; send application/json`;
}

/**
 * Why Fastify's JSON parser refused `text`, in words a client can act on: Fastify answers one
 * sentence for every refusal ("Body is not valid JSON"), including a valid body it refuses for a
 * `__proto__` or `constructor.prototype` key. Only a refused body is parsed again, to find which.
 */
export function jsonBodyRefusal(text: string): Error {
  if (text.trim() === '') {
    return bodyRefusal(
      400,
      'EMPTY_JSON_BODY',
      'The body holds only whitespace; send a JSON object, or no body at all',
    );
  }
  try {
    JSON.parse(text);
  } catch (error) {
    // V8's words name the position and quote a few characters around it: enough to find the fault.
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'cannot be parsed';
    return bodyRefusal(400, 'INVALID_JSON', `The body is not valid JSON: ${reason}`);
  }
  return bodyRefusal(
    400,
    'FORBIDDEN_JSON_KEY',
    'The body may not hold a "__proto__" key nor a "constructor" object with a "prototype" key',
  );
}

/**
 * The one body parser: Fastify's own JSON parser (prototype-poisoning checks kept), behind a
 * nesting limit (400, never 500) and refusing encoded bodies (415). Any other type is refused
 * with a 415 that names it, before the body is read (Fastify's text/plain parser is replaced: no
 * route takes text, and a text body reached validation as if no field had been sent), except an
 * empty body, which has no type to be wrong about (`fetch(url, { method: 'POST', body: '' })`
 * labels it text/plain). An empty body labelled JSON is no body either: clients that set
 * `Content-Type: application/json` on every request send it with a cancel, which takes none;
 * a route that needs a body then names the fields it lacks.
 */
export function installJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (request.headers['content-length'] === '0') {
      done(null, undefined);
      return;
    }
    done(
      bodyRefusal(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        unsupportedMediaTypeMessage(request.headers['content-type']),
      ),
      undefined,
    );
  });
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    const contentEncoding = request.headers['content-encoding'];
    if (encodedBody(contentEncoding)) {
      done(
        bodyRefusal(
          415,
          'UNSUPPORTED_CONTENT_ENCODING',
          `Content-Encoding ${String(contentEncoding).slice(0, 40)} is not accepted; send the body uncompressed`,
        ),
        undefined,
      );
      return;
    }
    if (jsonNestingExceeds(body, MAX_JSON_DEPTH)) {
      done(
        bodyRefusal(400, 'JSON_TOO_DEEP', `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    const text = body.toString('utf8');
    void parse(request, text, (error, value) => {
      if (error) {
        done(jsonBodyRefusal(text), undefined);
        return;
      }
      const duplicate = duplicateJsonKey(text);
      if (duplicate !== undefined) {
        done(
          bodyRefusal(
            400,
            'DUPLICATE_JSON_KEY',
            `${duplicate.slice(0, 100)}: given more than once in one object; send each field once`,
          ),
          undefined,
        );
        return;
      }
      done(null, value);
    });
  });
}

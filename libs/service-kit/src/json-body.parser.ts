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

/** Fastify's own JSON parser (prototype-poisoning checks kept), behind a nesting limit: 400, never 500. */
export function installJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    if (jsonNestingExceeds(body, MAX_JSON_DEPTH)) {
      done(
        Object.assign(new Error(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
          statusCode: 400,
          code: 'JSON_TOO_DEEP',
        }),
        undefined,
      );
      return;
    }
    void parse(request, body.toString('utf8'), done);
  });
}

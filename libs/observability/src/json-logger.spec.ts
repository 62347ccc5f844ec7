import { Logger } from '@nestjs/common';
import pino from 'pino';
import { JsonLogger } from './json-logger';

/** Nest's own Logger, as services use it, writing through JsonLogger into `lines`. */
function nestLoggerInto(lines: Record<string, unknown>[], context: string): Logger {
  const root = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as never) });
  Logger.overrideLogger(new JsonLogger(root));
  return new Logger(context);
}

describe("JsonLogger behind Nest's Logger", () => {
  it('writes an object logged as an error as its fields, with the context and nothing else', () => {
    const lines: Record<string, unknown>[] = [];
    nestLoggerInto(lines, 'KafkaEventServer').error({ msg: 'Event dead-lettered', topic: 't', attempts: 5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      context: 'KafkaEventServer',
      msg: 'Event dead-lettered',
      topic: 't',
      attempts: 5,
    });
    // Nest passes an absent stack as undefined; it is not a detail of the line.
    expect(lines[0]).not.toHaveProperty('details');
  });

  it("keeps an error's stack, and extra values as details", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = nestLoggerInto(lines, 'Ctx');
    logger.error('boom', 'Error: boom\n    at somewhere');
    logger.warn('odd', { field: 'x' });
    expect(lines[0]).toMatchObject({ context: 'Ctx', msg: 'boom', stack: 'Error: boom\n    at somewhere' });
    expect(lines[1]).toMatchObject({ context: 'Ctx', msg: 'odd', details: [{ field: 'x' }] });
  });
});

import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BodyTooLargeError, declaredLengthExceeds, limitBody } from './body-limit';

function chunks(...sizes: number[]): Readable {
  return Readable.from(sizes.map((size) => Buffer.alloc(size, 0x61)));
}

describe('body limit', () => {
  it('passes a body within the limit through unchanged', async () => {
    const limited = limitBody(chunks(400, 600), 1000);
    await expect(buffer(limited)).resolves.toEqual(Buffer.alloc(1000, 0x61));
    expect(limited.exceeded).toBe(false);
  });

  it('fails the stream as soon as it grows past the limit', async () => {
    const limited = limitBody(chunks(600, 600, 600), 1000);
    await expect(buffer(limited)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(limited.exceeded).toBe(true);
  });

  it('ends the limited stream when the client aborts its upload', async () => {
    const source = new Readable({ read() {} });
    const limited = limitBody(source, 1000);
    const consumed = buffer(limited);
    source.destroy(new Error('aborted'));
    await expect(consumed).rejects.toThrow('aborted');
  });

  it('survives a client aborting before anyone reads the body (request still queued for a connection)', async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', record);
    try {
      const source = new Readable({ read() {} });
      const limited = limitBody(source, 1000);
      source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(limited.destroyed).toBe(true);
      expect(limited.errored).toMatchObject({ message: 'aborted' });
      expect(uncaught).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', record);
    }
  });

  it('judges a declared Content-Length before reading anything', () => {
    expect(declaredLengthExceeds('1001', 1000)).toBe(true);
    expect(declaredLengthExceeds('1000', 1000)).toBe(false);
    expect(declaredLengthExceeds(undefined, 1000)).toBe(false);
    expect(declaredLengthExceeds('garbage', 1000)).toBe(false);
  });
});

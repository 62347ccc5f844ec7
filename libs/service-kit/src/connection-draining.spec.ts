import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { ShutdownState } from '@storage/health';
import { closeConnectionsWhenDue } from './connection-draining';

const LIMIT = 1024;
const BODY = 512 * 1024;

/**
 * A raw client that streams a large body without waiting for an answer, and keeps sending after
 * the server's FIN (half-open, as curl and most HTTP stacks do).
 */
function rawClient(port: number): { socket: Socket; received: () => string; ended: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve, reject) => {
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, ended };
}

function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('closing a connection on an unfinished upload', () => {
  let fastify: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    fastify = Fastify({ bodyLimit: LIMIT });
    closeConnectionsWhenDue(fastify, new ShutdownState());
    fastify.post('/things', (request) => ({ got: request.body }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (fastify.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await fastify.close();
  });

  it('answers 413 and keeps reading the rest, so the client gets the answer, not a reset', async () => {
    const client = rawClient(port);
    await write(
      client.socket,
      `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`,
    );
    await write(client.socket, Buffer.alloc(16 * 1024, 'x'));
    // Refused on its declared length, before the body is read.
    await until('the 413', () => client.received().includes('\r\n\r\n'));
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.received().toLowerCase()).toContain('connection: close');
    // The client, still unaware, sends the rest of its body: every write must go through.
    for (let sent = 16 * 1024; sent < BODY; sent += 16 * 1024) {
      await write(client.socket, Buffer.alloc(16 * 1024, 'x'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Our side has half-closed after the answer; the client closes its own, and it is over.
    client.socket.end();
    await client.ended;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("lets Node's own client read the 413 while it is still writing the body", async () => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const status = await new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/things',
            headers: { 'content-type': 'application/json', 'content-length': String(BODY) },
            agent: false,
          },
          (incoming) => {
            incoming.resume();
            incoming.on('end', () => resolve(incoming.statusCode ?? 0));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(Buffer.alloc(BODY, 'x'));
      });
      expect(status).toBe(413);
    }
  });

  it('still answers a complete request on a kept-alive connection', async () => {
    const response = await fastify.inject({ method: 'POST', url: '/things', payload: { a: 1 } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).not.toBe('close');
  });
});

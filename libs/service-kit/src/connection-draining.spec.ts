import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { ShutdownState } from '@storage/health';
import { closeConnectionsWhenDue } from './connection-draining';
import { answerRouterError } from './router-errors';

const LIMIT = 1024;
const BODY = 512 * 1024;
/** Beyond what the sockets' buffers hold on loopback: the client is still writing when the answer comes. */
const LARGE_BODY = 4 * 1024 * 1024;

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

/**
 * What Node's own client got for `count` POSTs of LARGE_BODY bytes to `path`, eight at a time on
 * kept-alive connections, e.g. `{ "400": 46, "error EPIPE": 2 }`. The client runs in a process of
 * its own, as real clients do: in the server's process it only writes when the server yields, and
 * the reset this is about (failed writes, a lost answer) does not happen.
 */
function postFromAnotherProcess(port: number, path: string, count: number): Promise<Record<string, number>> {
  const client = `
    const http = require('node:http');
    const [port, path, size, count] = process.argv.slice(1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const body = Buffer.alloc(Number(size), 'x');
    const one = () => new Promise((resolve) => {
      const outgoing = http.request(
        { host: '127.0.0.1', port: Number(port), method: 'POST', path, agent,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
        (incoming) => { incoming.resume(); incoming.on('end', () => resolve(String(incoming.statusCode))); },
      );
      outgoing.on('error', (error) => resolve('error ' + error.code));
      outgoing.end(body);
    });
    (async () => {
      const tally = {};
      for (let sent = 0; sent < Number(count); sent += 8) {
        for (const outcome of await Promise.all(Array.from({ length: 8 }, one))) {
          tally[outcome] = (tally[outcome] ?? 0) + 1;
        }
      }
      process.stdout.write(JSON.stringify(tally));
      agent.destroy();
    })();
  `;
  const args = ['-e', client, String(port), path, String(LARGE_BODY), String(count)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the client failed: ${error.message} ${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, number>);
    });
  });
}

describe('closing a connection on an unfinished upload', () => {
  let fastify: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    fastify = Fastify({ bodyLimit: LIMIT, frameworkErrors: answerRouterError });
    closeConnectionsWhenDue(fastify, new ShutdownState());
    fastify.post('/things', (request) => ({ got: request.body }));
    fastify.post('/things/:id', (request) => ({ got: request.params }));
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

  it.each([
    ['a 413 on the declared length', '/things', 413],
    // The router refuses a malformed escape before any hook runs (the API fuzz suite found this one
    // answered with a reset: write EPIPE instead of the 400).
    ["the router's 400 for a malformed path", '/things/%', 400],
    ["the router's 400 for a bad escape", '/things/%zz', 400],
  ])("lets Node's own client read %s while it is still writing the body", async (_what, path, status) => {
    const statuses = await postFromAnotherProcess(port, path, 48);
    expect(statuses).toEqual({ [status]: 48 });
  });

  it('still answers a complete request on a kept-alive connection', async () => {
    const response = await fastify.inject({ method: 'POST', url: '/things', payload: { a: 1 } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).not.toBe('close');
  });
});

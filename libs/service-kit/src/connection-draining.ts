import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ShutdownState } from '@storage/health';

/**
 * How long a connection closed on an unfinished upload keeps reading (and discarding) what the
 * client still sends, so that it reads the answer instead of a reset. nginx calls it lingering
 * close; its default is a few seconds.
 */
export const LINGER_MS = 5000;

const lingering = new WeakSet<Socket>();

/**
 * Node ends a `Connection: close` answer with `socket.destroySoon()`: our FIN, then the socket is
 * destroyed as soon as the answer is written. A client still sending the body we refused (a 413
 * on its declared length, a body never read) then writes into a closed socket: the kernel answers
 * with a reset, the client's write fails (EPIPE, ECONNRESET) and a reset can discard the answer
 * waiting in its receive buffer. Instead the connection half-closes: the answer and our FIN go
 * out, Node's parser keeps discarding the rest of the body, and the socket goes when the client
 * closes its side or after LINGER_MS, whichever comes first.
 */
function lingerBeforeClosing(socket: Socket): void {
  if (lingering.has(socket)) {
    return;
  }
  lingering.add(socket);
  socket.destroySoon = function lingeringDestroySoon(this: Socket): void {
    endLingering(this);
  };
}

/**
 * Ends our side of the connection (after `last`, when given) and destroys the socket when the
 * client ends its side, or after LINGER_MS: what the client still sends meanwhile is read and
 * discarded instead of answered with a reset.
 */
export function endLingering(socket: Socket, last?: string): void {
  if (socket.writable) {
    socket.end(last ?? '');
  }
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Marks an answer as the last on its connection (`Connection: close`). When the request's body
 * has not all arrived (a body refused unread, an upload cut short), the connection lingers
 * before closing (see lingerBeforeClosing), so the client gets the answer instead of a reset.
 * Every answer that closes its connection goes through here: the hook below, and the router's
 * refusals, which run no hooks.
 */
export function closeConnectionAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('connection', 'close');
  if (!request.raw.complete) {
    lingerBeforeClosing(request.raw.socket);
  }
}

/**
 * Answers that must end their connection:
 *
 * - While draining. On SIGTERM the server stops accepting connections and waits for the open ones
 *   to end. A keep-alive connection whose request was in flight becomes idle once answered, and
 *   clients keep idle connections for as long as the server's keep-alive hint (72 s with Fastify),
 *   far beyond the shutdown timeout. Closing them after the last answer makes a graceful stop take
 *   as long as the slowest request, not 72 s.
 * - After a request that asked to upgrade the protocol (`Upgrade: h2c`, `websocket`). It is served
 *   as plain HTTP/1.1, but Node's parser takes the bytes after such a request's headers for the
 *   new protocol's: a body it carried is never read, and the next request on that connection
 *   would wait behind it forever (found by the API fuzz suite).
 * - Any answer a handler already marked `Connection: close` (Fastify's and the gateway's 413s,
 *   which do not read an oversized body; the gateway's answers to a request whose upload broke).
 */
export function closeConnectionsWhenDue(fastify: FastifyInstance, shutdown: ShutdownState): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (
      shutdown.isDraining ||
      request.headers.upgrade !== undefined ||
      reply.getHeader('connection') === 'close'
    ) {
      closeConnectionAfterAnswer(request, reply);
    }
    done(null, payload);
  });
}

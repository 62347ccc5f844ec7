import type { FastifyInstance } from 'fastify';
import type { ShutdownState } from '@storage/health';

/**
 * Answers that must end their connection (`Connection: close`):
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
 */
export function closeConnectionsWhenDue(fastify: FastifyInstance, shutdown: ShutdownState): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (shutdown.isDraining || request.headers.upgrade !== undefined) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });
}

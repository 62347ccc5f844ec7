import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, metricsText, type Logger } from '@storage/observability';

export const METRICS_PATH = '/metrics';

async function answerScrape(): Promise<{ status: number; body: string }> {
  try {
    return { status: 200, body: await metricsText() };
  } catch (error) {
    return { status: 500, body: `metrics collection failed: ${String(error)}\n` };
  }
}

/**
 * `/metrics` on the service's own port: services are reachable only inside the cluster, and the
 * gateway routes only /api/* to them, so a client cannot read it through the public API.
 */
export function serveMetricsRoute(fastify: FastifyInstance): void {
  fastify.get(METRICS_PATH, async (_request, reply) => {
    const { status, body } = await answerScrape();
    return reply.code(status).header('content-type', METRICS_CONTENT_TYPE).send(body);
  });
}

/**
 * `/metrics` on a port of its own: for the gateway, whose main port is the public API and must not
 * show its internals to clients. Only that path answers; it closes with the service.
 */
export async function serveMetricsPort(port: number, host: string, logger: Logger): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    void answerScrape().then(({ status, body }) => {
      response.writeHead(status, { 'content-type': METRICS_CONTENT_TYPE }).end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: String(error) }, 'metrics listener failed'));
  logger.info({ port }, 'metrics served on their own port');
  return server;
}

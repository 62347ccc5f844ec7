import type { FastifyReply, FastifyRequest } from 'fastify';
import { histogram, LATENCY_BUCKETS_SECONDS } from '@storage/observability';
import { METRICS_PATH } from './metrics-endpoint';

const requestDuration = histogram<'method' | 'route' | 'status_code'>({
  name: 'http_server_request_duration_seconds',
  help: 'HTTP requests served, by route template (not the raw URL), method and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: LATENCY_BUCKETS_SECONDS,
});

/** Called from the onResponse hook: one observation per answered request. */
export function observeHttpRequest(request: FastifyRequest, reply: FastifyReply): void {
  // The route's template keeps the label set bounded; a path no route matched is one value.
  const route = request.routeOptions.url ?? 'unmatched';
  if (route === METRICS_PATH) {
    return;
  }
  requestDuration.observe(
    { method: request.method, route, status_code: String(reply.statusCode) },
    reply.elapsedTime / 1000,
  );
}

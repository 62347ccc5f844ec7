import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { decideAccess, methodsOffered } from '../../../application/route-access.policy';
import { upstreamQuery } from '../../../application/upstream-request';
import {
  API_PREFIX,
  isApiPath,
  isCustomerList,
  isRepeatable,
  resolveGatewayPath,
  UPSTREAM_ROUTES,
} from '../../../application/upstream-routes';
import { type AllowedMethods, routedMethods } from '@storage/service-kit';
import { sendError } from '../../error-reply';
import type { ApiForwarder } from '../../../application/ports/api-forwarder.port';
import { BodyTooLargeError, declaredLengthExceeds, limitBody } from '../../body-limit';
import { trustedForwardedChain } from './client-address';
import { authenticationOf } from './request-authentication';

export interface ApiRoutesOptions {
  readonly forwarder: ApiForwarder;
  readonly bodyLimitBytes: number;
  readonly trustedProxyHops: number;
}

const logger = new Logger('ApiRoutes');

/** HEAD is added by Fastify for every GET route; OPTIONS (CORS preflight) is answered by @fastify/cors. */
const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const REALM = 'Bearer realm="storage-rental"';

function splitUrl(url: string): { path: string; query: string } {
  const index = url.indexOf('?');
  return index < 0 ? { path: url, query: '' } : { path: url.slice(0, index), query: url.slice(index + 1) };
}

/**
 * The decision chain of every API request, after the edge hooks (authentication, rate limit):
 * path -> route, token verdict, access policy, then the call to the service. Everything that
 * refuses a request does so here, before a single byte reaches a service.
 */
function handle(options: ApiRoutesOptions, request: FastifyRequest, reply: FastifyReply): void {
  const { path, query } = splitUrl(request.url);
  const resolution = resolveGatewayPath(path);
  if (resolution.kind === 'rejected') {
    sendError(reply, 400, 'INVALID_PATH', `Path refused: ${resolution.reason}`);
    return;
  }
  if (resolution.kind === 'unrouted') {
    sendError(reply, 404, 'NOT_FOUND', `No API route for ${path}`);
    return;
  }
  const { route, servicePath } = resolution;

  const authentication = authenticationOf(request);
  if (authentication.status === 'rejected') {
    const { failure } = authentication;
    const challenge: Record<string, string> =
      failure.status === 401 ? { 'www-authenticate': `${REALM}, error="invalid_token"` } : {};
    sendError(reply, failure.status, failure.error, failure.message, challenge);
    return;
  }
  const identity = authentication.status === 'authenticated' ? authentication.identity : undefined;

  const decision = decideAccess(route.resource, request.method, identity);
  if (!decision.allowed) {
    const headers: Record<string, string> =
      decision.status === 405
        ? { allow: decision.allow.join(', ') }
        : { 'www-authenticate': decision.status === 401 ? REALM : `${REALM}, error="insufficient_scope"` };
    sendError(reply, decision.status, decision.error, decision.message, headers);
    return;
  }

  if (request.body instanceof Readable) {
    request.body = limitBody(request.body, options.bodyLimitBytes);
  }
  options.forwarder.forward(request, reply, {
    upstream: route.upstream,
    path: servicePath,
    query: upstreamQuery(query, decision.customerScope, isCustomerList(route, servicePath)),
    identity,
    forwardedFor: trustedForwardedChain(
      request.socket.remoteAddress,
      request.headers['x-forwarded-for'],
      options.trustedProxyHops,
    ),
    repeatable: isRepeatable(
      route,
      request.method,
      servicePath,
      request.headers['idempotency-key'] !== undefined,
    ),
  });
}

/**
 * For a 405's `Allow`: under `/api` what the resource is offered with (the routes there are a
 * catch-all, so the router would name every method it forwards); elsewhere (the gateway's own
 * endpoints) what the router holds.
 */
export const apiAllowedMethods: AllowedMethods = (path, request) => {
  if (!isApiPath(path)) {
    return routedMethods(path, request);
  }
  const resolution = resolveGatewayPath(path);
  return resolution.kind === 'routed' ? methodsOffered(resolution.route.resource) : [];
};

/**
 * `/api/<resource>[/...]` for every route of the route table, in an encapsulated Fastify context:
 * its body handling (streamed, not parsed) and error format apply to the API routes only, not to
 * the gateway's own endpoints (auth, docs, health), which keep Nest's parsing and validation.
 */
export async function registerApiRoutes(fastify: FastifyInstance, options: ApiRoutesOptions): Promise<void> {
  await fastify.register(async (api) => {
    // The service parses and validates the body; the gateway only streams it. The raw stream is
    // handed on untouched: it is wrapped in the byte limit only once the request is allowed
    // through (see handle), so a refused request's body is never read and Node discards it.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (request, payload, done) => {
      if (declaredLengthExceeds(request.headers['content-length'], options.bodyLimitBytes)) {
        done(new BodyTooLargeError(options.bodyLimitBytes), undefined);
        return;
      }
      done(null, payload);
    });

    api.setErrorHandler((error: FastifyError & { retryAfterSeconds?: number }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        logger.error({ msg: 'API route failed', err: error.stack ?? String(error) });
        return sendError(reply, 500, 'INTERNAL_ERROR', 'Unexpected error; it has been logged');
      }
      const extra: Record<string, string> = {};
      if (error.retryAfterSeconds !== undefined) extra['retry-after'] = String(error.retryAfterSeconds);
      // An oversized upload is not read; closing the connection stops the client sending it.
      if (status === 413) extra.connection = 'close';
      return sendError(reply, status, error.code ?? 'BAD_REQUEST', error.message, extra);
    });

    await options.forwarder.register(api);

    for (const route of UPSTREAM_ROUTES) {
      for (const url of [`${API_PREFIX}${route.prefix}`, `${API_PREFIX}${route.prefix}/*`]) {
        api.route({
          method: METHODS,
          url,
          // Synchronous and returning nothing: the reply is sent by sendError or by the stream.
          handler: (request, reply) => {
            handle(options, request, reply);
          },
        });
      }
    }
  });
}

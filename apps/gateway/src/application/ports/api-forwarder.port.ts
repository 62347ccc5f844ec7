import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../identity';
import type { UpstreamName } from '../upstream-routes';

/** One proxied call, fully decided by the inbound side: where to, with which query, for whom. */
export interface ForwardPlan {
  readonly upstream: UpstreamName;
  /** The service's own path, still percent-encoded as the client sent it. */
  readonly path: string;
  /** Query string without "?", already scoped for customers. */
  readonly query: string;
  readonly identity?: Identity;
  /** Addresses the gateway vouches for, client first (see trustedForwardedChain). */
  readonly forwardedFor: readonly string[];
  /**
   * The request may be sent again when its first try met a connection the service had just
   * closed (see isRepeatable): a read, or a keyed write the service performs once per key.
   */
  readonly repeatable: boolean;
}

/**
 * Streams an allowed API request to its service and the service's answer back to the client.
 * Fastify's types are part of the port on purpose: the gateway is a streaming proxy, and the
 * request and reply objects are what is handed through, untouched.
 */
export abstract class ApiForwarder {
  /** Installs what forwarding needs on the API routes' Fastify context. */
  abstract register(api: FastifyInstance): Promise<void>;
  /** Answers `reply` with the service's response (or the edge's error answer when the call fails). */
  abstract forward(request: FastifyRequest, reply: FastifyReply, plan: ForwardPlan): FastifyReply;
}

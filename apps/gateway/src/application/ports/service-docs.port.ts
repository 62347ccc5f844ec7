import type { OpenApiDocument } from '../gateway-openapi';
import type { UpstreamName } from '../upstream-routes';

/** The services' API documents as seen through the gateway; a service that is down is absent. */
export abstract class ServiceDocs {
  /** The gateway view of one service's API, or undefined while that service cannot be reached. */
  abstract spec(name: UpstreamName): Promise<OpenApiDocument | undefined>;
  abstract available(): Promise<{ available: UpstreamName[]; unavailable: UpstreamName[] }>;
}

import { Logger } from '@nestjs/common';
import {
  isOpenApiDocument,
  rewriteForGateway,
  type OpenApiDocument,
} from '../../../application/gateway-openapi';
import { ServiceDocs } from '../../../application/ports/service-docs.port';
import { UPSTREAMS, type UpstreamName } from '../../../application/upstream-routes';

export interface UpstreamOpenApiCatalogOptions {
  readonly urls: Readonly<Record<UpstreamName, string>>;
  readonly fetchTimeoutMs: number;
  readonly cacheTtlMs: number;
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly spec: Promise<OpenApiDocument | undefined>;
}

/** fetch() reports every network failure as "fetch failed"; the cause says which one. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? `${String(error)} (${cause.code})` : String(error);
}

/**
 * The services' OpenAPI documents, fetched from each service's /docs-json and rewritten to gateway
 * paths. A service that is down or slow is simply absent (the doc page still loads, without it);
 * results are cached briefly so opening the doc does not fan out to every service each time, and
 * concurrent readers share one fetch.
 */
export class UpstreamOpenApiCatalog extends ServiceDocs {
  private readonly logger = new Logger(UpstreamOpenApiCatalog.name);
  private readonly cache = new Map<UpstreamName, CacheEntry>();

  constructor(private readonly options: UpstreamOpenApiCatalogOptions) {
    super();
  }

  spec(name: UpstreamName): Promise<OpenApiDocument | undefined> {
    const now = Date.now();
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > now) {
      return cached.spec;
    }
    const spec = this.fetchSpec(name);
    this.cache.set(name, { expiresAt: now + this.options.cacheTtlMs, spec });
    return spec;
  }

  /** Which services currently publish a spec, in the route table's order. */
  async available(): Promise<{ available: UpstreamName[]; unavailable: UpstreamName[] }> {
    const results = await Promise.all(UPSTREAMS.map(async (name) => ({ name, spec: await this.spec(name) })));
    return {
      available: results.filter((result) => result.spec !== undefined).map((result) => result.name),
      unavailable: results.filter((result) => result.spec === undefined).map((result) => result.name),
    };
  }

  private async fetchSpec(name: UpstreamName): Promise<OpenApiDocument | undefined> {
    const url = `${this.options.urls[name].replace(/\/+$/, '')}/docs-json`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs) });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const body: unknown = await response.json();
      if (!isOpenApiDocument(body)) {
        throw new Error('not an OpenAPI 3 document');
      }
      return rewriteForGateway(body, name);
    } catch (error) {
      this.logger.log({
        msg: 'service API doc unavailable; left out',
        upstream: name,
        url,
        reason: reasonOf(error),
      });
      return undefined;
    }
  }
}

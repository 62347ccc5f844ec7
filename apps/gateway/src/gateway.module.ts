import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { HealthModule } from '@storage/health';
import { AuthHttpController } from './adapters/in/http/auth.http-controller';
import { DocsHttpController } from './adapters/in/http/docs.http-controller';
import { ServiceDocs } from './application/ports/service-docs.port';
import { TokenIssuer } from './application/ports/token-issuer.port';

export interface GatewayModuleOptions {
  /** Present only when DEV_ISSUER_ENABLED=true; its endpoints do not exist otherwise. */
  readonly devIssuer?: TokenIssuer;
  readonly catalog: ServiceDocs;
}

/**
 * The gateway's own Nest endpoints: health, the API doc's spec list and, in development, the token
 * issuer. The proxied API itself is plain Fastify routes (see api.http-routes.ts), installed by
 * main.ts through the service kit's `configure` hook: streaming needs no Nest pipeline.
 */
@Module({})
export class GatewayModule {
  static register(options: GatewayModuleOptions): DynamicModule {
    const controllers: Type[] = [DocsHttpController];
    const providers: Provider[] = [{ provide: ServiceDocs, useValue: options.catalog }];
    if (options.devIssuer) {
      controllers.push(AuthHttpController);
      providers.push({ provide: TokenIssuer, useValue: options.devIssuer });
    }
    return {
      module: GatewayModule,
      // No database, no Kafka: ready means "serving". A service being down is answered per request
      // (503) rather than by taking the whole gateway out of rotation.
      imports: [HealthModule.forRoot({ database: false })],
      controllers,
      providers,
    };
  }
}

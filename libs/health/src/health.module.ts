import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_OPTIONS, HealthHttpController, type HealthOptions } from './health.http-controller';
import { READINESS_CHECKS } from './readiness-check';
import { ShutdownState } from './shutdown-state';

export interface HealthModuleOptions {
  database: boolean;
  timeoutMs?: number;
  /** Tokens of ReadinessCheck providers visible to this module (e.g. from a global module). */
  checkTokens?: unknown[];
}

@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const healthOptions: HealthOptions = { database: options.database, timeoutMs: options.timeoutMs ?? 1500 };
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthHttpController],
      providers: [
        ShutdownState,
        { provide: HEALTH_OPTIONS, useValue: healthOptions },
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: unknown[]) => checks,
          inject: (options.checkTokens ?? []) as never[],
        },
      ],
      exports: [ShutdownState],
    };
  }
}

import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';
import { ShutdownState } from './shutdown-state';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');
export interface HealthOptions {
  database: boolean;
  /** A probe slower than this counts as down: readiness must answer quickly to be useful. */
  timeoutMs: number;
}

@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Optional() private readonly database?: TypeOrmHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs and its event loop answers (no dependencies)' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database and Kafka reachable, consumer group joined, not draining' })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const probes: HealthIndicatorFunction[] = [
      () => {
        const indicator = this.indicators.check('lifecycle');
        // The pid says which process answered: a supervisor that started one on a port can tell
        // it from another that holds the port (its own failed to bind: EADDRINUSE).
        return this.shutdown.isDraining
          ? indicator.down({ state: 'draining', pid: process.pid })
          : indicator.up({ state: 'serving', pid: process.pid });
      },
    ];
    if (this.options.database && this.database) {
      const database = this.database;
      probes.push(() => database.pingCheck('database', { timeout: this.options.timeoutMs }));
    }
    for (const check of this.checks) {
      probes.push(async () => {
        const indicator = this.indicators.check(check.name);
        const result = await Promise.race([
          check.check(),
          new Promise<{ up: boolean; details?: Record<string, unknown> }>((resolve) =>
            setTimeout(() => resolve({ up: false, details: { reason: 'timeout' } }), this.options.timeoutMs),
          ),
        ]).catch((error: unknown) => ({ up: false, details: { reason: String(error) } }));
        return result.up ? indicator.up(result.details) : indicator.down(result.details);
      });
    }
    return this.health.check(probes);
  }
}

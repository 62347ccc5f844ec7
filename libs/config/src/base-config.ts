import {
  ArrayNotEmpty,
  IsIn,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { EnvBoolean, EnvDuration, EnvList, IsHttpUrl } from './env-transforms';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every service has. */
export class BaseServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT!: number;

  @IsString()
  HOST = '0.0.0.0';

  /**
   * Where Prometheus scrapes `/metrics`: unset, on PORT (a service reachable only inside the
   * cluster); set, on this port alone (the gateway, whose PORT is the public API).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /**
   * OpenTelemetry's own variable: traces are exported over OTLP/HTTP to this collector when set
   * (the SDK reads it and the other OTEL_* variables; checked here so a typo stops the start).
   */
  @IsOptional()
  @IsHttpUrl()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** How long in-flight requests and messages may take to finish after SIGTERM. */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS: number = 10_000;

  /**
   * Longest a client may take to send one whole request, headers and body; a slower one (a body
   * trickled byte by byte) gets 408 and its connection is closed, so it cannot hold the server.
   */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;

  /** How long an idle keep-alive connection stays open (above a load balancer's idle timeout). */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;

  /**
   * Reverse proxies in front of this process whose forwarded headers are believed: 0 when clients
   * connect directly, 1 behind an ingress (or behind the gateway). With 0, X-Forwarded-For,
   * -Proto and -Host are ignored, since any client can write them; with N, the last N hops of
   * X-Forwarded-For decide the client address (rate limits) and the nearest proxy's -Proto counts.
   */
  @IsInt()
  @Min(0)
  @Max(5)
  TRUSTED_PROXY_HOPS: number = 0;

  /**
   * Shared secret proving a request comes from the gateway or a sibling service. Unset in local
   * development (every caller trusted); always set in a cluster.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  INTERNAL_AUTH_SECRET?: string;
}

/** Settings of a service that owns a database and talks over Kafka. */
export class DataServiceConfig extends BaseServiceConfig {
  @Matches(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be a postgres:// URL naming a database' })
  DATABASE_URL!: string;

  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE: number = 10;

  /**
   * Prepare each parameterised statement once per connection instead of parsing and planning it
   * on every call. Off only behind a transaction-mode pooler that cannot keep prepared statements.
   */
  @EnvBoolean()
  @IsBoolean()
  DB_PREPARED_STATEMENTS: boolean = true;

  /**
   * Longest a statement may run before Postgres cancels it (a lock waited on, a slow plan). A
   * connection whose server stays silent for twice as long is taken for lost and closed.
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_STATEMENT_TIMEOUT_MS: number = 15_000;

  @EnvList()
  @ArrayNotEmpty({ message: 'must list at least one host:port' })
  @Matches(/^[^:,\s]+:\d+$/, { each: true, message: 'each broker must be host:port' })
  KAFKA_BROKERS!: string[];

  /** Partitions of the topics a service creates when they do not exist yet. */
  @IsInt()
  @Min(1)
  @Max(256)
  KAFKA_TOPIC_PARTITIONS: number = 6;

  /** Replication factor of created topics: 1 for a single local broker, 3 in production. */
  @IsInt()
  @Min(1)
  @Max(5)
  KAFKA_REPLICATION_FACTOR: number = 1;
}

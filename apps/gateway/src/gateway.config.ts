import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { BaseServiceConfig, EnvBoolean, EnvDuration, EnvList, IsHttpUrl } from '@storage/config';

/** Signature algorithms the gateway accepts; `none` and HMAC are never on the list (alg confusion). */
export const ACCEPTED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof ACCEPTED_JWT_ALGORITHMS)[number];

/**
 * Everything the edge needs: where the services are, whom to trust for tokens, and how hard to
 * protect them. The gateway owns no database and no Kafka, so it extends the base settings only.
 *
 * Every numeric setting carries an explicit `: number`: decorator metadata records the annotated
 * type only (an inferred one is emitted as Object), and class-transformer needs it to turn the
 * environment's strings into numbers.
 */
export class GatewayConfig extends BaseServiceConfig {
  override PORT: number = 8080;

  /** The gateway's PORT is the public API: its metrics are served on a port of their own. */
  override METRICS_PORT?: number = 9464;

  @IsHttpUrl()
  BOOKING_URL = 'http://127.0.0.1:8081';

  @IsHttpUrl()
  PAYMENT_URL = 'http://127.0.0.1:8082';

  @IsHttpUrl()
  STORAGE_ASSIGN_URL = 'http://127.0.0.1:8083';

  @IsHttpUrl()
  MYPAGE_URL = 'http://127.0.0.1:8084';

  /** `iss` every accepted token must carry (the Keycloak realm URL in a cluster). */
  @IsString()
  JWT_ISSUER = 'storage-rental-dev-issuer';

  /** `aud` every accepted token must contain (the Keycloak client id of the API). */
  @IsString()
  JWT_AUDIENCE = 'storage-rental-api';

  /**
   * Where the identity provider publishes its signing keys. Required unless the dev issuer is on,
   * in which case an unset value means "trust the gateway's own dev key".
   */
  @ValidateIf((config: GatewayConfig) => !config.DEV_ISSUER_ENABLED || config.JWKS_URL !== undefined)
  @IsHttpUrl('must be the http(s) URL of the JWKS (or set DEV_ISSUER_ENABLED=true)')
  JWKS_URL?: string;

  /**
   * Claim holding the platform role: a top-level claim (`role`) or a dotted path into nested
   * claims, e.g. `realm_access.roles` for Keycloak realm roles (string or array of strings).
   */
  @Matches(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, { message: 'must be a claim name or dotted path' })
  JWT_ROLE_CLAIM = 'role';

  @EnvList()
  @IsIn(ACCEPTED_JWT_ALGORITHMS, { each: true })
  JWT_ALGORITHMS: JwtAlgorithm[] = ['RS256', 'ES256'];

  /** Clock skew tolerated on `exp`/`nbf`, in seconds. */
  @IsInt()
  @Min(0)
  @Max(300)
  JWT_CLOCK_TOLERANCE_S: number = 5;

  /** Local token issuer for development and tests: never enable it where real users are. */
  @EnvBoolean()
  @IsBoolean()
  DEV_ISSUER_ENABLED: boolean = false;

  /** PKCS#8 PEM (EC P-256, RSA or Ed25519) for a stable dev key; generated at start when unset. */
  @IsOptional()
  @Matches(/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/, {
    message: 'must be a PKCS#8 PEM private key',
  })
  DEV_ISSUER_PRIVATE_KEY?: string;

  @IsInt()
  @Min(60)
  @Max(86_400)
  DEV_TOKEN_TTL_S: number = 3600;

  /** Requests per client per window; a client is the token subject, or the address when anonymous. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX: number = 300;

  @EnvDuration()
  @IsInt()
  @Min(1000)
  RATE_LIMIT_WINDOW_MS: number = 60_000;

  /** Largest request body accepted, streamed or parsed. */
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  /** Browser origins allowed to call the API (comma-separated, or `*`); empty means same-origin only. */
  @EnvList()
  @Matches(/^(\*|https?:\/\/[^\s/,]+)$/, {
    each: true,
    message: 'each origin must be * or http(s)://host[:port]',
  })
  CORS_ORIGINS: string[] = [];

  /** A service that does not accept a connection within this time is reported down (503). */
  @EnvDuration()
  @IsInt()
  @Min(50)
  @Max(30_000)
  UPSTREAM_CONNECT_TIMEOUT_MS: number = 1000;

  /** Longest wait for a service's response headers (and between body chunks) before a 504. */
  @EnvDuration()
  @IsInt()
  @Min(100)
  @Max(300_000)
  UPSTREAM_TIMEOUT_MS: number = 10_000;

  /**
   * The longest the gateway answers a service's refusal itself when the service says it holds for
   * everyone (booking's 503 while payment is refusing: PAYMENT_REFUSAL_EDGE_HOLD_MS asks for
   * 50 ms). 0: every request goes to the service.
   */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(60_000)
  EDGE_HOLD_MAX_MS: number = 1000;

  /** Keep-alive connections per service. */
  @IsInt()
  @Min(1)
  @Max(1024)
  UPSTREAM_CONNECTIONS: number = 128;

  /** How long the API doc waits for a service's /docs-json before leaving it out. */
  @EnvDuration()
  @IsInt()
  @Min(100)
  @Max(30_000)
  DOCS_FETCH_TIMEOUT_MS: number = 1500;

  /** How long a fetched service spec (or its absence) is reused by the API doc. */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DOCS_CACHE_TTL_MS: number = 15_000;

  /** Base URLs of the services behind the gateway, by upstream name. */
  upstreamUrls(): Record<'booking' | 'payment' | 'storage-assign' | 'mypage', string> {
    return {
      booking: this.BOOKING_URL,
      payment: this.PAYMENT_URL,
      'storage-assign': this.STORAGE_ASSIGN_URL,
      mypage: this.MYPAGE_URL,
    };
  }
}

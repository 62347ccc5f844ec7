import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from '@storage/contracts';
import type { Role } from '@storage/contracts';
import type { AuthenticationFailure, Identity } from '../../../application/identity';
import { TokenVerificationError, TokenVerifier } from '../../../application/ports/token-verifier.port';

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Allowed signature algorithms; a token signed with anything else is refused before any key lookup. */
  readonly algorithms: readonly string[];
  readonly clockToleranceS: number;
  /** Claim name or dotted path holding the role, e.g. `role` or `realm_access.roles`. */
  readonly roleClaim: string;
}

const VERIFIED_CAPACITY = 10_000;
const VERIFIED_TTL_MS = 5 * 60_000;

function invalid(message: string): AuthenticationFailure {
  return { status: 401, error: 'TOKEN_INVALID', message };
}

/** Maps jose's failures to what the client is told; details stay generic enough to leak nothing. */
export function failureOf(error: unknown): AuthenticationFailure {
  if (error instanceof errors.JWTExpired) {
    return { status: 401, error: 'TOKEN_EXPIRED', message: 'The token has expired; get a new one' };
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return unavailable();
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalid(
      `Token claim "${error.claim}" is ${error.reason === 'missing' ? 'missing' : 'not accepted'}`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid('Token signature does not verify');
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalid('Token is signed with a key the identity provider does not publish');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalid('Token signature algorithm is not accepted');
  }
  if (error instanceof errors.JOSEError) {
    return invalid('Token is malformed');
  }
  // Anything else is the key set fetch itself failing (network, DNS): not the client's fault.
  return unavailable();
}

function unavailable(): AuthenticationFailure {
  return {
    status: 503,
    error: 'IDENTITY_PROVIDER_UNAVAILABLE',
    message: 'Signing keys of the identity provider cannot be fetched; retry shortly',
  };
}

/** Highest first: a token carrying both platform roles acts as staff. */
const ROLE_PRECEDENCE: readonly Role[] = ['staff', 'customer'];

function claimAt(payload: JWTPayload, path: string): unknown {
  let current: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The platform role from a claim holding one role (`"staff"`) or several (`["offline_access",
 * "staff"]`, as Keycloak puts realm roles). Unknown role names are ignored.
 */
export function roleFrom(payload: JWTPayload, roleClaim: string): Role | undefined {
  const value = claimAt(payload, roleClaim);
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return ROLE_PRECEDENCE.find((role) => names.includes(role));
}

/**
 * Verifies bearer JWTs with jose: signature against the key set (remote JWKS of the identity
 * provider, or the dev issuer's own key), then issuer, audience, expiry and the claims the gateway
 * relies on (`sub`, `exp`).
 */
export class JwtVerifier extends TokenVerifier {
  /**
   * Tokens verified recently, by their exact text: a client sends the same token on every call,
   * and checking an ES256/RS256 signature was the gateway's largest CPU cost per request. A hit is
   * still checked against the clock (exp, nbf); an entry lives at most VERIFIED_TTL_MS (so a key
   * the identity provider withdraws stops being honoured soon after jose's key cache drops it)
   * and the cache holds at most VERIFIED_CAPACITY tokens, oldest use evicted first. Refusals are
   * never cached: a flood of forged tokens must not fill it.
   */
  private readonly verified = new Map<
    string,
    { identity: Identity; exp: number; nbf: number; until: number }
  >();

  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly options: JwtVerifierOptions,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /**
   * Keys fetched from the identity provider and cached by jose; an unknown `kid` triggers a
   * refetch (key rotation) at most every `cooldownMs`, so forged kids cannot hammer the IdP.
   */
  static remote(
    jwksUrl: string,
    options: JwtVerifierOptions,
    fetchTimeoutMs = 2000,
    cooldownMs = 30_000,
  ): JwtVerifier {
    return new JwtVerifier(
      createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: fetchTimeoutMs, cooldownDuration: cooldownMs }),
      options,
    );
  }

  static local(jwks: JSONWebKeySet, options: JwtVerifierOptions): JwtVerifier {
    return new JwtVerifier(createLocalJWKSet(jwks), options);
  }

  async verify(token: string): Promise<Identity> {
    const cached = this.verified.get(token);
    if (cached) {
      const nowS = this.now() / 1000;
      const tolerance = this.options.clockToleranceS;
      this.verified.delete(token);
      if (this.now() < cached.until && nowS < cached.exp + tolerance && nowS >= cached.nbf - tolerance) {
        this.verified.set(token, cached);
        return cached.identity;
      }
      // Expired or too old: the full check below gives the right answer (TOKEN_EXPIRED, ...).
    }
    const { identity, exp, nbf } = await this.verifyFully(token);
    if (this.verified.size >= VERIFIED_CAPACITY) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, { identity, exp, nbf, until: this.now() + VERIFIED_TTL_MS });
    return identity;
  }

  private async verifyFully(token: string): Promise<{ identity: Identity; exp: number; nbf: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockToleranceS,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw new TokenVerificationError(failureOf(error));
    }
    if (typeof payload.sub !== 'string' || !CUSTOMER_ID_PATTERN.test(payload.sub)) {
      throw new TokenVerificationError(invalid(`Token subject must be ${CUSTOMER_ID_RULE}`));
    }
    return {
      identity: { subject: payload.sub, role: roleFrom(payload, this.options.roleClaim) },
      exp: payload.exp ?? 0,
      nbf: payload.nbf ?? 0,
    };
  }
}

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import type { Role } from '@storage/contracts';
import { TokenIssuer, type IssuedToken } from '../../../application/ports/token-issuer.port';

export interface DevTokenIssuerOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly defaultTtlS: number;
  /** Where the role goes, the same claim path the verifier reads (`role`, `realm_access.roles`). */
  readonly roleClaim: string;
  /** PKCS#8 PEM for a key that survives restarts; a fresh ES256 key is generated when absent. */
  readonly privateKeyPem?: string;
}

/** The JWS algorithm a PKCS#8 key implies, so any common key type can be dropped in. */
function algorithmOf(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ed25519':
      return 'EdDSA';
    case 'ec':
      if (curve === 'prime256v1') return 'ES256';
      if (curve === 'secp384r1') return 'ES384';
      throw new Error(
        `DEV_ISSUER_PRIVATE_KEY: EC curve ${curve ?? '(unknown)'} is not supported; use P-256 or P-384`,
      );
    default:
      throw new Error(
        `DEV_ISSUER_PRIVATE_KEY: key type ${key.asymmetricKeyType ?? '(unknown)'} is not supported`,
      );
  }
}

/**
 * Claims carrying the role at a claim path: a plain `role: "staff"` for a top-level claim, or the
 * Keycloak shape (`realm_access: { roles: ["staff"] }`) for a dotted path, so dev tokens look like
 * the real identity provider's to the verifier.
 */
export function roleClaims(path: string, role: Role): Record<string, unknown> {
  const keys = path.split('.');
  if (keys.length === 1) {
    return { [path]: role };
  }
  return keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), [role]) as Record<string, unknown>;
}

/**
 * A local stand-in for the identity provider (development and tests only): signs tokens for any
 * subject and role and publishes its public key as a JWKS, exactly like Keycloak would.
 */
export class DevTokenIssuer extends TokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    readonly algorithm: string,
    private readonly options: DevTokenIssuerOptions,
  ) {
    super();
  }

  static async create(options: DevTokenIssuerOptions): Promise<DevTokenIssuer> {
    let privateKey: CryptoKey;
    let publicJwk: JWK;
    let algorithm: string;
    if (options.privateKeyPem) {
      const keyObject = createPrivateKey(options.privateKeyPem);
      algorithm = algorithmOf(keyObject);
      privateKey = await importPKCS8(options.privateKeyPem, algorithm);
      publicJwk = createPublicKey(keyObject).export({ format: 'jwk' });
    } else {
      algorithm = 'ES256';
      const pair = await generateKeyPair(algorithm, { extractable: true });
      privateKey = pair.privateKey;
      publicJwk = await exportJWK(pair.publicKey);
    }
    const kid = await calculateJwkThumbprint(publicJwk);
    return new DevTokenIssuer(
      privateKey,
      { ...publicJwk, kid, alg: algorithm, use: 'sig' },
      algorithm,
      options,
    );
  }

  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  async issue(subject: string, role: Role, ttlS = this.options.defaultTtlS): Promise<IssuedToken> {
    const accessToken = await new SignJWT(roleClaims(this.options.roleClaim, role))
      .setProtectedHeader({ alg: this.algorithm, kid: this.publicJwk.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${ttlS}s`)
      .sign(this.privateKey);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttlS };
  }
}

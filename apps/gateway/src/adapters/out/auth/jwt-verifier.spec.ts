import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { TokenVerificationError } from '../../../application/ports/token-verifier.port';
import { JwtVerifier, roleFrom, type JwtVerifierOptions } from './jwt-verifier';

// jose is ESM-only and Jest's CommonJS runtime cannot load it; Node's own require can (require(esm)).
jest.mock('jose', () => process.getBuiltinModule('node:module').createRequire(__filename)('jose') as unknown);

const OPTIONS: JwtVerifierOptions = {
  issuer: 'https://idp.test/realms/storage',
  audience: 'storage-rental-api',
  algorithms: ['ES256', 'RS256'],
  clockToleranceS: 5,
  roleClaim: 'role',
};

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function keyPair(alg: 'ES256' | 'RS256' | 'ES384', kid: string): Promise<KeyPair> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return {
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' },
  };
}

interface SignOptions {
  alg?: string;
  issuer?: string;
  audience?: string;
  /** A time span from now ("5m") or an absolute epoch second. */
  expiresAt?: string | number;
}

function sign(
  key: KeyPair,
  claims: JWTPayload,
  { alg = 'ES256', issuer = OPTIONS.issuer, audience = OPTIONS.audience, expiresAt = '5m' }: SignOptions = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: key.publicJwk.kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(key.privateKey);
}

async function failureOf(promise: Promise<unknown>): Promise<TokenVerificationError['failure']> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof TokenVerificationError)) {
    throw new Error(`expected a TokenVerificationError, got ${String(error)}`);
  }
  return error.failure;
}

describe('JwtVerifier (real keys)', () => {
  let trusted: KeyPair;
  let forger: KeyPair;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    trusted = await keyPair('ES256', 'trusted-1');
    forger = await keyPair('ES256', 'trusted-1');
    verifier = JwtVerifier.local({ keys: [trusted.publicJwk] }, OPTIONS);
  });

  it('accepts a token of the trusted issuer and reads subject and role', async () => {
    const token = await sign(trusted, { sub: 'customer-alice', role: 'customer' });
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'customer-alice', role: 'customer' });
  });

  it('refuses a token signed with another key under the same kid (bad signature)', async () => {
    const token = await sign(forger, { sub: 'customer-alice', role: 'staff' });
    expect(await failureOf(verifier.verify(token))).toEqual({
      status: 401,
      error: 'TOKEN_INVALID',
      message: 'Token signature does not verify',
    });
  });

  it('refuses a token whose payload was edited after signing', async () => {
    const [header, , signature] = (await sign(trusted, { sub: 'customer-alice', role: 'customer' })).split(
      '.',
    );
    const edited = Buffer.from(
      JSON.stringify({
        sub: 'customer-alice',
        role: 'staff',
        iss: OPTIONS.issuer,
        aud: OPTIONS.audience,
        exp: 4102444800,
      }),
    ).toString('base64url');
    expect((await failureOf(verifier.verify(`${header}.${edited}.${signature}`))).error).toBe(
      'TOKEN_INVALID',
    );
  });

  it('refuses an expired token beyond the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(trusted, { sub: 'customer-alice', role: 'customer' }, { expiresAt: now - 60 });
    const lateButTolerated = await sign(
      trusted,
      { sub: 'customer-alice', role: 'customer' },
      { expiresAt: now - 2 },
    );
    expect(await failureOf(verifier.verify(expired))).toMatchObject({ status: 401, error: 'TOKEN_EXPIRED' });
    await expect(verifier.verify(lateButTolerated)).resolves.toMatchObject({ subject: 'customer-alice' });
  });

  it('refuses another issuer or audience', async () => {
    const otherIssuer = await sign(trusted, { sub: 'customer-alice' }, { issuer: 'https://evil.test' });
    const otherAudience = await sign(trusted, { sub: 'customer-alice' }, { audience: 'another-api' });
    expect(await failureOf(verifier.verify(otherIssuer))).toMatchObject({
      message: 'Token claim "iss" is not accepted',
    });
    expect(await failureOf(verifier.verify(otherAudience))).toMatchObject({
      message: 'Token claim "aud" is not accepted',
    });
  });

  it('requires a subject and an expiry', async () => {
    const noSubject = await sign(trusted, { role: 'customer' });
    const forever = await new SignJWT({ sub: 'customer-alice' })
      .setProtectedHeader({ alg: 'ES256', kid: 'trusted-1' })
      .setIssuer(OPTIONS.issuer)
      .setAudience(OPTIONS.audience)
      .sign(trusted.privateKey);
    expect(await failureOf(verifier.verify(noSubject))).toMatchObject({
      message: 'Token claim "sub" is missing',
    });
    expect(await failureOf(verifier.verify(forever))).toMatchObject({
      message: 'Token claim "exp" is missing',
    });
  });

  it('refuses a subject that cannot travel as a header value', async () => {
    const token = await sign(trusted, { sub: 'customer alice\r\nx-user-role: staff' });
    expect(await failureOf(verifier.verify(token))).toMatchObject({ status: 401, error: 'TOKEN_INVALID' });
  });

  it('refuses algorithms outside the allow-list, and unsigned tokens', async () => {
    const es384 = await keyPair('ES384', 'p384');
    const strict = JwtVerifier.local({ keys: [es384.publicJwk] }, OPTIONS);
    const token = await sign(es384, { sub: 'customer-alice' }, { alg: 'ES384' });
    expect(await failureOf(strict.verify(token))).toMatchObject({
      message: 'Token signature algorithm is not accepted',
    });

    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect((await failureOf(verifier.verify(unsigned))).status).toBe(401);
    expect(await failureOf(verifier.verify('not-a-jwt'))).toMatchObject({
      status: 401,
      message: 'Token is malformed',
    });
  });

  it('reads a token without a platform role as an identity without role', async () => {
    const token = await sign(trusted, { sub: 'someone', role: 'admin' });
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'someone', role: undefined });
  });
});

describe('roleFrom', () => {
  it('reads a top-level claim or a Keycloak-style nested list, staff first', () => {
    expect(roleFrom({ role: 'staff' }, 'role')).toBe('staff');
    expect(roleFrom({ realm_access: { roles: ['offline_access', 'customer'] } }, 'realm_access.roles')).toBe(
      'customer',
    );
    expect(roleFrom({ realm_access: { roles: ['customer', 'staff'] } }, 'realm_access.roles')).toBe('staff');
    expect(roleFrom({ realm_access: ['staff'] }, 'realm_access.roles')).toBeUndefined();
    expect(roleFrom({ role: 42 }, 'role')).toBeUndefined();
    expect(roleFrom({}, 'role')).toBeUndefined();
  });
});

describe('JwtVerifier against a remote JWKS (identity provider)', () => {
  let server: Server;
  let jwksUrl: string;
  let trusted: KeyPair;
  let rotated: KeyPair;
  let published: JWK[];
  let jwksFetches = 0;

  beforeAll(async () => {
    trusted = await keyPair('RS256', 'rsa-1');
    rotated = await keyPair('ES256', 'ec-2');
    published = [trusted.publicJwk];
    server = createServer((_request, response) => {
      jwksFetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/realms/storage/certs`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches the keys once and verifies tokens with them', async () => {
    const verifier = JwtVerifier.remote(jwksUrl, { ...OPTIONS, roleClaim: 'realm_access.roles' }, 1000, 0);
    const token = await sign(
      trusted,
      { sub: 'staff-sam', realm_access: { roles: ['staff'] } },
      { alg: 'RS256' },
    );
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'staff-sam', role: 'staff' });
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'staff-sam', role: 'staff' });
    expect(jwksFetches).toBe(1);
  });

  it('picks up a rotated key by refetching on an unknown kid', async () => {
    const verifier = JwtVerifier.remote(jwksUrl, OPTIONS, 1000, 0);
    await verifier.verify(await sign(trusted, { sub: 'customer-alice' }, { alg: 'RS256' }));
    published = [trusted.publicJwk, rotated.publicJwk];
    const token = await sign(rotated, { sub: 'customer-alice', role: 'customer' });
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'customer-alice', role: 'customer' });
  });

  it('answers 503 (not 401) when the identity provider cannot be reached', async () => {
    const verifier = JwtVerifier.remote('http://127.0.0.1:9/certs', OPTIONS, 500);
    const token = await sign(trusted, { sub: 'customer-alice' }, { alg: 'RS256' });
    expect(await failureOf(verifier.verify(token))).toMatchObject({
      status: 503,
      error: 'IDENTITY_PROVIDER_UNAVAILABLE',
    });
  });
});

describe('JwtVerifier cache of verified tokens', () => {
  it('checks a signature once per token, and still refuses the token once it expires', async () => {
    const key = await keyPair('ES256', 'cache-key');
    const local = JwtVerifier.local({ keys: [key.publicJwk] }, OPTIONS);
    let lookups = 0;
    let clock = Date.now();
    // The key lookup happens once per full verification: count them through a wrapping getKey.
    const verifier = new JwtVerifier(
      async (header, token) => {
        lookups += 1;
        return (local as unknown as { keys: (h: typeof header, t: typeof token) => Promise<CryptoKey> }).keys(
          header,
          token,
        );
      },
      OPTIONS,
      () => clock,
    );
    const expiresAt = Math.floor(clock / 1000) + 60;
    const token = await sign(key, { sub: 'customer-cached', role: 'customer' }, { expiresAt });
    for (let i = 0; i < 5; i += 1) {
      await expect(verifier.verify(token)).resolves.toEqual({ subject: 'customer-cached', role: 'customer' });
    }
    expect(lookups).toBe(1);
    // Past exp (and the tolerance): refused as expired, cached or not.
    clock = (expiresAt + OPTIONS.clockToleranceS + 1) * 1000;
    expect(await failureOf(verifier.verify(token))).toMatchObject({ error: 'TOKEN_EXPIRED' });
  });

  it('never caches a refusal', async () => {
    const key = await keyPair('ES256', 'cache-key-2');
    const other = await keyPair('ES256', 'cache-key-2');
    const verifier = JwtVerifier.local({ keys: [key.publicJwk] }, OPTIONS);
    const forged = await sign(other, { sub: 'mallory', role: 'staff' });
    for (let i = 0; i < 2; i += 1) {
      expect(await failureOf(verifier.verify(forged))).toMatchObject({ error: 'TOKEN_INVALID' });
    }
  });
});

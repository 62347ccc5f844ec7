import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DevTokenIssuer, roleClaims } from './dev-token-issuer';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';

// jose is ESM-only and Jest's CommonJS runtime cannot load it; Node's own require can (require(esm)).
jest.mock('jose', () => process.getBuiltinModule('node:module').createRequire(__filename)('jose') as unknown);

const SETTINGS = { issuer: 'storage-rental-dev-issuer', audience: 'storage-rental-api', defaultTtlS: 3600 };

function verifierFor(issuer: DevTokenIssuer, roleClaim: string): JwtVerifier {
  const options: JwtVerifierOptions = {
    issuer: SETTINGS.issuer,
    audience: SETTINGS.audience,
    algorithms: [issuer.algorithm],
    clockToleranceS: 0,
    roleClaim,
  };
  return JwtVerifier.local(issuer.jwks(), options);
}

describe('DevTokenIssuer', () => {
  it('issues tokens the gateway verifies with the published JWKS', async () => {
    const issuer = await DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'role' });
    const issued = await issuer.issue('customer-alice', 'customer');
    expect(issued).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    await expect(verifierFor(issuer, 'role').verify(issued.accessToken)).resolves.toEqual({
      subject: 'customer-alice',
      role: 'customer',
    });
    const header = decodeProtectedHeader(issued.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: issuer.jwks().keys[0].kid });
    const claims = decodeJwt(issued.accessToken);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('publishes only the public half of its key', async () => {
    const issuer = await DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'role' });
    const [key] = issuer.jwks().keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
  });

  it.each([
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS256'],
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'],
    ['Ed25519', () => generateKeyPairSync('ed25519'), 'EdDSA'],
  ])('signs with a configured %s key (stable across restarts)', async (_kind, generate, algorithm) => {
    const pem = generate().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const first = await DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'role', privateKeyPem: pem });
    const restarted = await DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'role', privateKeyPem: pem });
    expect(first.algorithm).toBe(algorithm);
    expect(restarted.jwks()).toEqual(first.jwks());
    const { accessToken } = await first.issue('staff-sam', 'staff', 120);
    await expect(verifierFor(restarted, 'role').verify(accessToken)).resolves.toEqual({
      subject: 'staff-sam',
      role: 'staff',
    });
  });

  it('writes the role where the verifier reads it (Keycloak-style claim path)', async () => {
    const issuer = await DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'realm_access.roles' });
    const { accessToken } = await issuer.issue('staff-sam', 'staff');
    expect(decodeJwt(accessToken)).toMatchObject({ realm_access: { roles: ['staff'] } });
    await expect(verifierFor(issuer, 'realm_access.roles').verify(accessToken)).resolves.toEqual({
      subject: 'staff-sam',
      role: 'staff',
    });
  });

  it('refuses key types it cannot sign JWTs with', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await expect(
      DevTokenIssuer.create({ ...SETTINGS, roleClaim: 'role', privateKeyPem: pem }),
    ).rejects.toThrow('EC curve secp256k1 is not supported');
  });
});

describe('roleClaims', () => {
  it('nests the role under a dotted claim path', () => {
    expect(roleClaims('role', 'customer')).toEqual({ role: 'customer' });
    expect(roleClaims('realm_access.roles', 'staff')).toEqual({ realm_access: { roles: ['staff'] } });
  });
});

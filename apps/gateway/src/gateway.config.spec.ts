import { ConfigValidationError, loadConfig } from '@storage/config';
import { GatewayConfig } from './gateway.config';

function load(env: Record<string, string>): GatewayConfig {
  return loadConfig(GatewayConfig, env);
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

const IDP = { JWKS_URL: 'https://idp.example.test/realms/storage/protocol/openid-connect/certs' };

describe('GatewayConfig', () => {
  it('has working defaults for everything but the key source', () => {
    const config = load(IDP);
    expect(config).toMatchObject({
      PORT: 8080,
      DEV_ISSUER_ENABLED: false,
      RATE_LIMIT_MAX: 300,
      UPSTREAM_CONNECT_TIMEOUT_MS: 1000,
      CORS_ORIGINS: [],
      JWT_ALGORITHMS: ['RS256', 'ES256'],
    });
    expect(config.upstreamUrls()).toEqual({
      booking: 'http://127.0.0.1:8081',
      payment: 'http://127.0.0.1:8082',
      'storage-assign': 'http://127.0.0.1:8083',
      mypage: 'http://127.0.0.1:8084',
    });
  });

  it('turns environment strings into numbers, booleans and lists', () => {
    const config = load({
      ...IDP,
      PORT: '9000',
      RATE_LIMIT_MAX: '25',
      UPSTREAM_TIMEOUT_MS: '2500',
      DEV_ISSUER_ENABLED: 'false',
      CORS_ORIGINS: 'https://app.example.test, http://localhost:3000',
      JWT_ALGORITHMS: 'RS256',
    });
    expect(config).toMatchObject({
      PORT: 9000,
      RATE_LIMIT_MAX: 25,
      UPSTREAM_TIMEOUT_MS: 2500,
      DEV_ISSUER_ENABLED: false,
      CORS_ORIGINS: ['https://app.example.test', 'http://localhost:3000'],
      JWT_ALGORITHMS: ['RS256'],
    });
    expect(load({ DEV_ISSUER_ENABLED: 'true' }).DEV_ISSUER_ENABLED).toBe(true);
  });

  it('needs a JWKS URL unless the dev issuer is on', () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^JWKS_URL: must be the http\(s\) URL of the JWKS/),
    ]);
    expect(load({ DEV_ISSUER_ENABLED: 'true' }).JWKS_URL).toBeUndefined();
    expect(problemsOf({ DEV_ISSUER_ENABLED: 'true', JWKS_URL: 'not a url' })).toHaveLength(1);
  });

  it('names every bad variable', () => {
    const problems = problemsOf({
      ...IDP,
      DEV_ISSUER_ENABLED: 'maybe',
      RATE_LIMIT_MAX: '0',
      JWT_ALGORITHMS: 'HS256,none',
      CORS_ORIGINS: 'app.example.test',
      BOOKING_URL: 'booking:8081',
      DEV_ISSUER_PRIVATE_KEY: 'secret',
    });
    const variables = problems.map((problem) => problem.split(':')[0]);
    expect(new Set(variables)).toEqual(
      new Set([
        'DEV_ISSUER_ENABLED',
        'RATE_LIMIT_MAX',
        'JWT_ALGORITHMS',
        'CORS_ORIGINS',
        'BOOKING_URL',
        'DEV_ISSUER_PRIVATE_KEY',
      ]),
    );
  });
});

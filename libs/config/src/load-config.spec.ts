import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsInt, Min } from 'class-validator';
import { DataServiceConfig } from './base-config';
import { EnvBoolean, EnvDuration, IsHttpUrl } from './env-transforms';
import { ConfigValidationError, loadConfig } from './load-config';

class ExampleConfig extends DataServiceConfig {
  override PORT = 8081;
}

const valid = { DATABASE_URL: 'postgres://u:p@localhost:5432/booking', KAFKA_BROKERS: 'a:9092, b:9093' };

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig(ExampleConfig, valid);
    expect(config.PORT).toBe(8081);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(config.DB_POOL_SIZE).toBe(10);
    expect(loadConfig(ExampleConfig, { ...valid, PORT: '9000' }).PORT).toBe(9000);
  });

  it('names every bad or missing variable', () => {
    try {
      loadConfig(ExampleConfig, { PORT: 'abc', KAFKA_BROKERS: 'nohost' });
      throw new Error('expected a ConfigValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const message = (error as Error).message;
      expect(message).toMatch(/PORT: .*got "abc"/);
      expect(message).toMatch(/DATABASE_URL: .*missing/);
      expect(message).toMatch(/KAFKA_BROKERS: each broker must be host:port/);
    }
  });
});

describe('EnvBoolean: one reading of booleans everywhere', () => {
  class FlagConfig extends DataServiceConfig {
    override PORT = 8081;
    @EnvBoolean()
    @IsBoolean()
    SEED = true;
  }

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('reads %s as %s', (raw, expected) => {
    expect(loadConfig(FlagConfig, { ...valid, SEED: raw }).SEED).toBe(expected);
  });

  it('keeps the default when unset and names a value that is no boolean', () => {
    expect(loadConfig(FlagConfig, valid).SEED).toBe(true);
    expect(() => loadConfig(FlagConfig, { ...valid, SEED: 'maybe' })).toThrow(/SEED: .*boolean.*got "maybe"/);
  });
});

describe('loadConfig never prints secrets', () => {
  class SecretConfig extends DataServiceConfig {
    override PORT = 8081;
  }

  it('names a bad secret without its value, and hides URL passwords', () => {
    try {
      loadConfig(SecretConfig, {
        ...valid,
        INTERNAL_AUTH_SECRET: 'short-s3cret',
        DATABASE_URL: 'postgres://admin:hunter2@db',
      });
      throw new Error('expected a ConfigValidationError');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/INTERNAL_AUTH_SECRET: .*value not shown, 12 characters/);
      expect(message).not.toContain('short-s3cret');
      expect(message).toMatch(/DATABASE_URL: .*postgres:\/\/admin:\*\*\*@db/);
      expect(message).not.toContain('hunter2');
    }
  });
});

describe('loadConfig numeric defaults', () => {
  it('converts variables of fields that have a default value', () => {
    const config = loadConfig(ExampleConfig, { ...valid, DB_POOL_SIZE: '25', SHUTDOWN_TIMEOUT_MS: '500' });
    expect(config.DB_POOL_SIZE).toBe(25);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(500);
  });
});

class UrlAndDurationConfig {
  @IsHttpUrl()
  UPSTREAM_URL = 'http://127.0.0.1:1';

  @EnvDuration()
  @IsInt()
  @Min(1)
  WAIT_MS: number = 250;
}

describe('EnvDuration and IsHttpUrl: one reading of durations and URLs everywhere', () => {
  it.each([
    ['1500', 1500],
    ['250ms', 250],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    [' 30 S ', 30_000],
  ])('reads %p as %p ms', (raw, ms) => {
    expect(loadConfig(UrlAndDurationConfig, { WAIT_MS: raw }).WAIT_MS).toBe(ms);
  });

  it('names a duration it cannot read, and a URL that is no http(s) URL', () => {
    expect(() => loadConfig(UrlAndDurationConfig, { WAIT_MS: '10 minutes' })).toThrow(
      /WAIT_MS: .*got "10 minutes"/,
    );
    expect(() => loadConfig(UrlAndDurationConfig, { UPSTREAM_URL: 'ftp://booking' })).toThrow(
      /UPSTREAM_URL: must be an http\(s\) URL/,
    );
  });

  it.each([
    ['abc', 'WAIT_MS must be an integer number'],
    ['10 minutes', 'WAIT_MS must be an integer number'],
    ['-5', 'WAIT_MS must not be less than 1'],
    ['0.5', 'WAIT_MS must be an integer number'],
  ])('says only what is wrong with %p', (raw, problem) => {
    const error = (() => {
      try {
        loadConfig(UrlAndDurationConfig, { WAIT_MS: raw });
      } catch (thrown) {
        return thrown as ConfigValidationError;
      }
      throw new Error('expected the configuration to be refused');
    })();
    // One problem: not also "must not be less than 1" for a value that is no number at all.
    expect(error.problems).toEqual([`WAIT_MS: ${problem} (got "${raw}")`]);
  });

  it('accepts host names without a TLD and drops a trailing slash', () => {
    expect(loadConfig(UrlAndDurationConfig, { UPSTREAM_URL: 'http://booking:8081/' }).UPSTREAM_URL).toBe(
      'http://booking:8081',
    );
  });
});

describe('NAME_FILE variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, 'a-generated-secret-0123456789\n');

  it('read the value from the file (newline dropped) and publish it to the environment', () => {
    const env: Record<string, string | undefined> = { ...valid, INTERNAL_AUTH_SECRET_FILE: secretFile };
    expect(loadConfig(ExampleConfig, env).INTERNAL_AUTH_SECRET).toBe('a-generated-secret-0123456789');
    expect(env.INTERNAL_AUTH_SECRET).toBe('a-generated-secret-0123456789');
  });

  it('refuse a missing file and a variable set both ways, naming the variable', () => {
    expect(() => loadConfig(ExampleConfig, { ...valid, PGPASSWORD_FILE: join(dir, 'absent') })).toThrow(
      /PGPASSWORD_FILE: cannot read .*absent \(ENOENT\)/,
    );
    expect(() =>
      loadConfig(ExampleConfig, {
        ...valid,
        INTERNAL_AUTH_SECRET: 'x'.repeat(20),
        INTERNAL_AUTH_SECRET_FILE: secretFile,
      }),
    ).toThrow(/set INTERNAL_AUTH_SECRET or INTERNAL_AUTH_SECRET_FILE, not both/);
  });
});

describe('NAME_FILE variables of other programs', () => {
  it('are left alone: only the variables a service reads are filled from files', () => {
    expect(() =>
      loadConfig(ExampleConfig, { ...valid, TF_CLI_CONFIG_FILE: '/nonexistent/.terraformrc' }),
    ).not.toThrow();
  });
});

import { IsBoolean } from 'class-validator';
import { DataServiceConfig } from './base-config';
import { EnvBoolean } from './env-transforms';
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

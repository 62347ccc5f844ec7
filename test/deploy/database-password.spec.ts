/**
 * The chart and the compose file give the services a DATABASE_URL without a password (it is not a
 * secret, so it lives in a ConfigMap) and the password as PGPASSWORD from a Secret. This holds only
 * while node-postgres falls back to libpq's variables for what the URL leaves out, on both paths
 * the services connect by: pg's Client (ensureDatabase) and TypeORM's pool.
 */
import ConnectionParameters from 'pg/lib/connection-parameters';
import { DriverUtils } from 'typeorm/driver/DriverUtils';

const URL_WITHOUT_PASSWORD = 'postgres://storage_rental@postgresql:5432/booking';

describe('a DATABASE_URL without a password', () => {
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PGSSLMODE: process.env.PGSSLMODE };

  beforeEach(() => {
    process.env.PGPASSWORD = 'from the Secret';
    delete process.env.PGSSLMODE;
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('connects with PGPASSWORD through a pg Client (as ensureDatabase does)', () => {
    const parameters = new ConnectionParameters({ connectionString: URL_WITHOUT_PASSWORD } as never);
    expect(parameters.user).toBe('storage_rental');
    expect(parameters.database).toBe('booking');
    expect(parameters.password).toBe('from the Secret');
  });

  it('connects with PGPASSWORD through TypeORM (which passes the URL and its parsed parts to pg)', () => {
    const parsed = DriverUtils.buildDriverOptions({ type: 'postgres', url: URL_WITHOUT_PASSWORD }) as {
      host: string;
      username: string;
      password: string;
      database: string;
      port: number;
    };
    // The options TypeORM's PostgresDriver.createPool hands to pg.Pool.
    const parameters = new ConnectionParameters({
      connectionString: URL_WITHOUT_PASSWORD,
      host: parsed.host,
      user: parsed.username,
      password: parsed.password,
      database: parsed.database,
      port: parsed.port,
    } as never);
    expect(parameters.password).toBe('from the Secret');
    expect(parameters.host).toBe('postgresql');
  });

  it('still prefers a password written in the URL', () => {
    const parameters = new ConnectionParameters({
      connectionString: 'postgres://storage_rental:in-url@postgresql:5432/booking',
    } as never);
    expect(parameters.password).toBe('in-url');
  });

  it('takes TLS from PGSSLMODE (database.sslMode in the chart)', () => {
    process.env.PGSSLMODE = 'require';
    expect(new ConnectionParameters({ connectionString: URL_WITHOUT_PASSWORD } as never).ssl).toBe(true);
    process.env.PGSSLMODE = 'disable';
    expect(new ConnectionParameters({ connectionString: URL_WITHOUT_PASSWORD } as never).ssl).toBe(false);
  });
});

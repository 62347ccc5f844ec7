import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKafka, type KafkaHandle } from '../../tools/stack/kafka';
import { entryPoint, type ServiceName } from '../../tools/stack/services';
import { http } from '../support/http';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';

const DATA_SERVICES: ServiceName[] = ['payment', 'storage-assign', 'booking', 'mypage'];

interface Health {
  status: string;
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string }>;
}

/** The plumbing every service shares: health, docs, config validation, shutdown, fault detection. */
describe('platform', () => {
  describe('every service', () => {
    let system: System;

    beforeAll(async () => {
      system = await System.start({ label: 'platform', services: [...DATA_SERVICES, 'gateway'] });
    });

    afterAll(async () => {
      await system?.stop();
    });

    it.each(DATA_SERVICES)(
      '%s is live, ready (database and Kafka up, group joined) and documented',
      async (name) => {
        const live = await http<Health>('GET', `${system.url(name)}/health/live`);
        expect(live.status).toBe(200);
        const ready = await http<Health>('GET', `${system.url(name)}/health/ready`);
        expect(ready.status).toBe(200);
        expect(ready.body.info).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
        const ui = await http<string>('GET', `${system.url(name)}/docs`);
        expect(ui.status).toBe(200);
        expect(ui.headers.get('content-type')).toContain('text/html');
        const spec = await http<{ openapi: string; paths: Record<string, unknown> }>(
          'GET',
          `${system.url(name)}/docs-json`,
        );
        expect(spec.body.openapi).toMatch(/^3\./);
        expect(Object.keys(spec.body.paths)).toContain('/health/ready');
      },
    );

    it('gateway is live, ready and documented', async () => {
      expect((await http('GET', `${system.url('gateway')}/health/live`)).status).toBe(200);
      expect((await http('GET', `${system.url('gateway')}/health/ready`)).status).toBe(200);
      const ui = await http<string>('GET', `${system.url('gateway')}/docs`);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
    });

    it('drains and exits cleanly on SIGTERM', async () => {
      const mypage = system.service('mypage');
      await mypage.stop('SIGTERM');
      expect(mypage.running).toBe(false);
      const log = readFileSync(mypage.logFile, 'utf8');
      expect(log).toContain('shutting down: draining requests and messages');
      expect(log).toMatch(/"msg":"stopped"/);
      await system.startService('mypage');
    });
  });

  it('refuses to start with bad configuration, naming each variable', async () => {
    const child = spawn(process.execPath, [entryPoint('payment')], {
      env: { PATH: process.env.PATH, PORT: 'eighty', KAFKA_BROKERS: 'nohost', PAYMENT_FAILURE_RATE: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT: .*got \\"eighty\\"/);
    expect(stderr).toMatch(/DATABASE_URL: .*missing/);
    expect(stderr).toMatch(/KAFKA_BROKERS: each broker must be host:port/);
    expect(stderr).toMatch(/PAYMENT_FAILURE_RATE: .*not be greater than 1/);
  });

  describe('readiness follows the dependencies', () => {
    let system: System | undefined;
    let proxy: TcpProxy;
    let kafka: KafkaHandle;

    beforeAll(async () => {
      const postgres = new URL(stackInfo().postgresServerUrl);
      proxy = new TcpProxy(postgres.hostname, Number(postgres.port));
      await proxy.start();
      // A broker of its own: stopping it must not disturb the other suites.
      kafka = await startKafka({ dataDir: join(stackInfo().dataDir, 'kafka-fault'), log: () => undefined });
      const databaseUrl = new URL(proxy.urlFor(postgres.toString()));
      databaseUrl.pathname = '/payment';
      system = await System.start({
        label: 'platform-faults',
        services: ['payment'],
        env: {
          payment: {
            DATABASE_URL: databaseUrl.toString(),
            KAFKA_BROKERS: kafka.brokers,
            // A connection silent for twice this long is taken for lost (the last test).
            DB_STATEMENT_TIMEOUT_MS: '2000',
          },
        },
      });
    });

    afterAll(async () => {
      await system?.stop();
      await kafka?.stop();
      await proxy?.cut();
    });

    const ready = () => http<Health>('GET', `${system!.url('payment')}/health/ready`, { timeoutMs: 5000 });
    const live = () => http<Health>('GET', `${system!.url('payment')}/health/live`, { timeoutMs: 5000 });

    it('turns red within 10 s when the database goes away and green when it is back; liveness stays green', async () => {
      expect((await ready()).status).toBe(200);
      await proxy.cut();
      const started = Date.now();
      const down = await waitFor('readiness to fail', ready, (response) => response.status === 503, {
        timeoutMs: 10_000,
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(down.body.error).toMatchObject({ database: { status: 'down' } });
      expect((await live()).status).toBe(200);
      await proxy.restore();
      await waitFor('readiness to recover', ready, (response) => response.status === 200, {
        timeoutMs: 30_000,
      });
    });

    it('turns red within 10 s when Kafka stops and green when it is back; liveness stays green', async () => {
      expect((await ready()).status).toBe(200);
      await kafka.stop();
      const started = Date.now();
      const down = await waitFor('readiness to fail', ready, (response) => response.status === 503, {
        timeoutMs: 10_000,
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(down.body.error).toMatchObject({ kafka: { status: 'down' } });
      expect((await live()).status).toBe(200);
      await kafka.restart!();
      const back = await waitFor('readiness to recover', ready, (response) => response.status === 200, {
        timeoutMs: 90_000,
      });
      expect(back.body.info).toMatchObject({ kafka: { status: 'up' } });
    });

    it('answers 503, not never, when the database goes silent, and serves again once it answers', async () => {
      const payment = (id: string) =>
        http<{ error?: string }>('GET', `${system!.url('payment')}/payments/${id}`, {
          headers: { 'x-user-id': 'platform-silence', 'x-user-role': 'customer' },
          timeoutMs: 20_000,
        });
      const unknown = '00000000-0000-4000-8000-000000000000';
      // A statement just answered: the pool holds a connection that the silence below will catch.
      expect((await payment(unknown)).status).toBe(404);
      proxy.silence();
      try {
        // Nothing answers on the pool's connection (no reset, no FIN): the service gives it up
        // after twice its statement timeout, 4 s here. Without that the request would wait for
        // ever, and the client give up at 20 s.
        const silent = await payment(unknown);
        expect({ status: silent.status, error: silent.body.error }).toEqual({
          status: 503,
          error: 'SERVICE_TEMPORARILY_UNAVAILABLE',
        });
        await waitFor('readiness to fail', ready, (response) => response.status === 503, {
          timeoutMs: 15_000,
        });
      } finally {
        proxy.speak();
      }
      await waitFor('readiness to recover', ready, (response) => response.status === 200, {
        timeoutMs: 30_000,
      });
      expect((await payment(unknown)).status).toBe(404);
    });
  });
});

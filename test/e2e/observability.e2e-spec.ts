import { Topics } from '@storage/contracts';
import { SERVICE_NAMES, type ServiceName } from '../../tools/stack/services';
import { http } from '../support/http';
import { scrape, series, total, type Sample } from '../support/metrics';
import { GatewayClient } from '../support/gateway-client';
import { uniquePeriod, type BookingBody } from '../support/rental-api';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const SECRET = 'e2e-internal-secret-0123456789';
const DATA_SERVICES: ServiceName[] = ['payment', 'storage-assign', 'booking', 'mypage'];

/** Lag of the platform's own groups (one per data service): other suites' groups stay behind. */
function platformLag(samples: Sample[], labels: Record<string, string> = {}): number {
  return DATA_SERVICES.reduce(
    (sum, group) => sum + total(samples, 'kafka_consumer_lag_messages', { ...labels, group }),
    0,
  );
}

/**
 * What an operator sees: every service's /metrics after real bookings, with the values a quiet,
 * healthy system must show, and a consumer group's lag rising while a member is frozen and
 * falling back to 0 once it runs again.
 */
describe('metrics', () => {
  let system: System;
  let client: GatewayClient;
  const as = (who: string) => client.as(who);

  async function book(days: number): Promise<BookingBody> {
    const placed = await http<BookingBody>('POST', `${client.api}/bookings`, {
      body: { size: 'M', ...uniquePeriod(days) },
      headers: as('customer'),
    });
    expect(placed.status).toBe(201);
    return placed.body;
  }

  async function waitConfirmed(id: string): Promise<void> {
    await waitFor(
      `booking ${id} to be CONFIRMED`,
      () => http<BookingBody>('GET', `${client.api}/bookings/${id}`, { headers: as('customer') }),
      (response) => response.status === 200 && response.body.status === 'CONFIRMED',
      { timeoutMs: 60_000 },
    );
  }

  /** Every service quiet: nothing pending in an outbox, every consumer caught up. */
  async function waitQuiet(): Promise<Record<string, Sample[]>> {
    return waitFor(
      'every outbox to be empty and every consumer lag to be 0',
      async () => {
        const scraped: Record<string, Sample[]> = {};
        for (const name of DATA_SERVICES) {
          scraped[name] = await scrape(system.metricsUrl(name));
        }
        return scraped;
      },
      (scraped) =>
        DATA_SERVICES.every(
          (name) =>
            series(scraped[name], 'outbox_messages_pending')[0]?.value === 0 &&
            series(scraped[name], 'kafka_consumer_lag_messages', { group: name }).length > 0 &&
            platformLag(scraped[name]) === 0,
        ),
      { timeoutMs: 60_000 },
    );
  }

  beforeAll(async () => {
    const secret = { INTERNAL_AUTH_SECRET: SECRET };
    system = await System.start({
      label: 'metrics',
      services: ['payment', 'storage-assign', 'booking', 'mypage', 'gateway'],
      env: { payment: secret, 'storage-assign': secret, booking: secret, mypage: secret, gateway: secret },
      replicas: { 'storage-assign': 2 },
    });
    client = new GatewayClient(system.url('gateway'));
    await client.login('customer', `metrics-${Date.now()}`, 'customer');
    await client.login('staff', 'staff-metrics', 'staff');
    await client.registerPricedUnit('staff', 'M', 1700);
    await client.registerPricedUnit('staff', 'M', 1700);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('serves every service’s series with sensible values once a booking is confirmed', async () => {
    const booking = await book(2);
    await waitConfirmed(booking.id);
    const scraped = await waitQuiet();
    scraped.gateway = await scrape(system.metricsUrl('gateway'));

    for (const name of SERVICE_NAMES) {
      const samples = scraped[name];
      // Node's defaults, each labelled with the service it came from.
      expect(total(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(total(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(samples.every((sample) => sample.labels.service === name)).toBe(true);
      // Round trips to Postgres, counted by the data services' client; the gateway has no database.
      expect(total(samples, 'db_client_round_trips_total') > 0).toBe(name !== 'gateway');
    }

    // HTTP by route template, method and status: the gateway saw the booking, booking served it.
    const gatewayPosts = series(scraped.gateway, 'http_server_request_duration_seconds_count', {
      method: 'POST',
      status_code: '201',
    });
    expect(gatewayPosts.map((sample) => sample.labels.route)).toContain('/api/bookings');
    expect(
      total(scraped.booking, 'http_server_request_duration_seconds_count', {
        method: 'POST',
        route: '/bookings',
        status_code: '201',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Raw URLs (ids) never become labels.
    for (const name of SERVICE_NAMES) {
      const routes = series(scraped[name], 'http_server_request_duration_seconds_count').map(
        (sample) => sample.labels.route,
      );
      expect(routes.filter((route) => route.includes(booking.id))).toEqual([]);
    }

    // The saga: placed -> confirmed timed, bookings counted by status.
    expect(
      total(scraped.booking, 'booking_saga_duration_seconds_count', { outcome: 'confirmed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(scraped.booking, 'booking_bookings', { status: 'CONFIRMED' })).toBeGreaterThanOrEqual(1);
    expect(total(scraped.booking, 'booking_bookings', { status: 'PAYMENT_PENDING' })).toBe(0);

    // Payment's circuit: exactly one state, closed; the charge went through the policy.
    const circuit = series(scraped.booking, 'resilience_circuit_state', { dependency: 'payment' });
    expect(circuit.filter((sample) => sample.value === 1).map((sample) => sample.labels.state)).toEqual([
      'closed',
    ]);
    const answered = total(scraped.booking, 'resilience_calls_total', {
      dependency: 'payment',
      outcome: 'answered',
    });
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(series(scraped.booking, 'resilience_bulkhead_active_calls', { dependency: 'payment' })).toEqual([
      expect.objectContaining({ value: 0 }),
    ]);
    // Calls succeeded: the adaptive limit grew from its floor (4) by one per answered call, up to
    // the bulkhead's (PAYMENT_BULKHEAD_LIMIT, 50).
    expect(series(scraped.booking, 'resilience_adaptive_limit', { dependency: 'payment' })).toEqual([
      expect.objectContaining({ value: Math.min(50, 4 + answered) }),
    ]);
    expect(series(scraped.booking, 'reconciliation_repairs_total', { job: 'SagaRedrive' })).toHaveLength(1);

    // Kafka and the outbox: events published, applied, nothing paused, parked or dead-lettered.
    expect(
      total(scraped.booking, 'outbox_messages_published_total', { topic: Topics.bookingEvents }),
    ).toBeGreaterThanOrEqual(1);
    // storage-assign runs two members here: the booking's partition is one of theirs.
    const members = [
      scraped['storage-assign'],
      ...(await Promise.all(system.replicas.map((replica) => scrape(`${replica.url}/metrics`)))),
    ];
    expect(
      members.reduce(
        (sum, samples) =>
          sum + total(samples, 'kafka_consumer_messages_applied_total', { topic: Topics.bookingEvents }),
        0,
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(total(scraped['storage-assign'], 'inbox_messages')).toBeGreaterThanOrEqual(1);
    // A fetch counts once answered: every group's member that got the booking's events counts
    // some (storage-assign's other member may still be in its first long poll).
    const fetched = async () => {
      const groups: Record<string, number> = {};
      for (const name of DATA_SERVICES) {
        const group =
          name === 'storage-assign'
            ? [
                await scrape(system.metricsUrl(name)),
                ...(await Promise.all(system.replicas.map((replica) => scrape(`${replica.url}/metrics`)))),
              ]
            : [await scrape(system.metricsUrl(name))];
        groups[name] = group.reduce(
          (sum, samples) => sum + total(samples, 'kafka_consumer_fetches_total'),
          0,
        );
      }
      return groups;
    };
    await waitFor('every consumer group to count an answered fetch', fetched, (groups) =>
      Object.values(groups).every((count) => count > 0),
    );
    for (const name of DATA_SERVICES) {
      expect({ name, age: total(scraped[name], 'outbox_oldest_pending_age_seconds') }).toEqual({
        name,
        age: 0,
      });
      expect({ name, parked: total(scraped[name], 'outbox_messages_parked') }).toEqual({ name, parked: 0 });
      expect({ name, paused: total(scraped[name], 'kafka_consumer_paused_partitions') }).toEqual({
        name,
        paused: 0,
      });
      expect({ name, dlq: total(scraped[name], 'kafka_consumer_messages_dead_lettered_total') }).toEqual({
        name,
        dlq: 0,
      });
    }
  });

  it('keeps /metrics off the public API and needs no internal secret to scrape a service', async () => {
    expect((await http('GET', `${system.url('gateway')}/metrics`)).status).toBe(404);
    expect((await http('GET', `${client.api}/metrics`, { headers: as('staff') })).status).toBe(404);
    // The services require the secret for their API, not for Prometheus' scrape.
    expect((await http('GET', `${system.url('booking')}/bookings`)).status).toBe(401);
    expect((await scrape(system.metricsUrl('booking'))).length).toBeGreaterThan(0);
  });

  it('shows a consumer group’s lag rising while a member is frozen, and back to 0 once it runs', async () => {
    const [frozen] = system.replicas;
    const other = system.service('storage-assign');
    process.kill(frozen.pid!, 'SIGSTOP');
    try {
      // Keys spread over six partitions; the frozen member owns about half of them.
      const placed: BookingBody[] = [];
      for (let i = 0; i < 12; i += 1) {
        placed.push(await book(3 + i));
      }
      await waitFor(
        'the running member to report lag on the frozen member’s partitions',
        () => scrape(`${other.url}/metrics`),
        (samples) =>
          total(samples, 'kafka_consumer_lag_messages', {
            group: 'storage-assign',
            topic: Topics.bookingEvents,
          }) > 0,
        { timeoutMs: 20_000 },
      );
    } finally {
      process.kill(frozen.pid!, 'SIGCONT');
    }
    await waitFor(
      'the lag to fall back to 0 in both members’ view',
      async () => [await scrape(`${other.url}/metrics`), await scrape(`${frozen.url}/metrics`)],
      (views) =>
        views.every(
          (samples) => total(samples, 'kafka_consumer_lag_messages', { group: 'storage-assign' }) === 0,
        ),
      { timeoutMs: 60_000 },
    );
  });

  it('shows a dead consumer’s lag on its peers’ metrics, rising while it is down and back to 0 after', async () => {
    const storage = [system.service('storage-assign'), ...system.replicas];
    await Promise.all(storage.map((member) => member.stop('SIGKILL')));
    try {
      for (let i = 0; i < 3; i += 1) {
        await book(20 + i);
      }
      // booking publishes the events storage-assign has not read: booking reports its lag.
      await waitFor(
        'booking to report storage-assign’s lag on booking events',
        () => scrape(system.metricsUrl('booking')),
        (samples) =>
          total(samples, 'kafka_consumer_lag_messages', {
            group: 'storage-assign',
            topic: Topics.bookingEvents,
          }) >= 3,
        { timeoutMs: 20_000 },
      );
    } finally {
      storage.forEach((member) => member.start());
    }
    await Promise.all(storage.map((member) => member.waitReady()));
    await waitFor(
      'storage-assign’s lag back to 0, on booking’s metrics and its own',
      async () => [
        await scrape(system.metricsUrl('booking')),
        await scrape(system.metricsUrl('storage-assign')),
      ],
      (views) =>
        views.every(
          (samples) => total(samples, 'kafka_consumer_lag_messages', { group: 'storage-assign' }) === 0,
        ),
      { timeoutMs: 90_000 },
    );
  });
});

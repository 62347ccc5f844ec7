import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SERVICE_NAMES } from '../../tools/stack/services';
import { http } from '../support/http';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { GatewayClient } from '../support/gateway-client';
import { uniquePeriod, type BookingBody, type MypageBody } from '../support/rental-api';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * One booking, one trace: from the client's POST at the gateway through payment, Kafka (via each
 * outbox) and storage-assign to the my page projection, every span parented on the hop that
 * caused it, exported over OTLP to a collector (here an in-process receiver).
 */
describe('tracing', () => {
  let system: System;
  let receiver: OtlpReceiver;
  let client: GatewayClient;
  const customerId = `tracing-${Date.now()}`;
  const as = (who: string, extra: Record<string, string> = {}) => client.as(who, extra);

  /** Books, waits until my page shows it CONFIRMED, and returns the booking. */
  async function bookAndConfirm(headers: Record<string, string> = {}): Promise<BookingBody> {
    const placed = await http<BookingBody>('POST', `${client.api}/bookings`, {
      body: { size: 'L', ...uniquePeriod(2) },
      headers: as('customer', headers),
    });
    expect(placed.status).toBe(201);
    await waitFor(
      `my page to show booking ${placed.body.id} CONFIRMED`,
      () =>
        http<MypageBody>('GET', `${client.api}/mypage/bookings/${placed.body.id}`, {
          headers: as('customer'),
        }),
      (response) => response.status === 200 && response.body.status === 'CONFIRMED',
      { timeoutMs: 60_000 },
    );
    return placed.body;
  }

  /** The gateway's span of the booking's POST: the trace's entry. */
  function entrySpan(bookingId: string): Promise<ReceivedSpan> {
    return waitFor(
      'the gateway’s span of the POST',
      () =>
        Promise.resolve(
          receiver.spans.find(
            (span) =>
              span.service === 'gateway' &&
              span.kind === SERVER &&
              span.name === 'POST /api/bookings' &&
              // The relay's publish of its events carries the booking id as the message key.
              receiver
                .trace(span.traceId)
                .some((other) => other.attributes['messaging.kafka.message.key'] === bookingId),
          ),
        ),
      (span) => span !== undefined,
      { timeoutMs: 30_000 },
    ) as Promise<ReceivedSpan>;
  }

  /**
   * Waits until the trace holds every service's spans, a consume in each service that consumes the
   * booking's events (spans are exported in batches, each service on its own schedule: the HTTP
   * spans of booking and storage-assign can be in while their consumes are not) and none is
   * missing its parent (but the client's own span, when the client started the trace).
   */
  function completeTrace(traceId: string, clientSpanId?: string): Promise<ReceivedSpan[]> {
    return waitFor(
      `trace ${traceId} to span the five services with every parent present`,
      () => Promise.resolve(receiver.trace(traceId)),
      (spans) => {
        const ids = new Set([...spans.map((span) => span.spanId), ...(clientSpanId ? [clientSpanId] : [])]);
        const services = new Set(spans.map((span) => span.service));
        const consumes = (name: string) =>
          spans.filter((span) => span.service === name && span.kind === CONSUMER).length;
        return (
          SERVICE_NAMES.every((name) => services.has(name)) &&
          ['payment', 'storage-assign', 'booking'].every((name) => consumes(name) >= 1) &&
          consumes('mypage') >= 2 &&
          spans.every((span) => span.parentSpanId === undefined || ids.has(span.parentSpanId))
        );
      },
      { timeoutMs: 30_000 },
    );
  }

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const env: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    system = await System.start({
      label: 'tracing',
      services: [...SERVICE_NAMES],
      env: Object.fromEntries(SERVICE_NAMES.map((name) => [name, env])),
    });
    client = new GatewayClient(system.url('gateway'));
    await client.login('customer', customerId, 'customer');
    await client.login('staff', 'staff-tracing', 'staff');
    await client.registerPricedUnit('staff', 'L', 3100);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('makes one trace of a booking, across the five services, every span parented on its cause', async () => {
    const booking = await bookAndConfirm();
    const entry = await entrySpan(booking.id);
    const spans = await completeTrace(entry.traceId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: ReceivedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    // The client sent no traceparent: the gateway started the trace, and it is the only root.
    expect(spans.filter((span) => span.parentSpanId === undefined)).toEqual([entry]);

    // HTTP: gateway -> booking; booking -> payment (the charge) and storage-assign (availability).
    const bookingServer = spans.find(
      (span) => span.service === 'booking' && span.kind === SERVER && span.name === 'POST /bookings',
    )!;
    expect(parentOf(bookingServer)).toMatchObject({ service: 'gateway', kind: CLIENT });
    expect(parentOf(parentOf(bookingServer)!)).toBe(entry);
    const paymentServer = spans.find((span) => span.service === 'payment' && span.kind === SERVER)!;
    expect(parentOf(paymentServer)).toMatchObject({ service: 'booking', kind: CLIENT });
    expect(parentOf(parentOf(paymentServer)!)).toBe(bookingServer);

    // Postgres: the booking's own queries are children of its request.
    const queries = spans.filter(
      (span) => span.service === 'booking' && span.attributes['db.system.name'] === 'postgresql',
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.some((span) => span.parentSpanId === bookingServer.spanId)).toBe(true);
    // Statement text only: parameter values (customers' data) are never attributes.
    expect(JSON.stringify(queries)).toContain('INSERT');
    expect(JSON.stringify(queries)).not.toContain(customerId);

    // Kafka: every consume continues from the publish of the event, every publish from the hop
    // that wrote the event in the same service.
    const consumers = spans.filter((span) => span.kind === CONSUMER);
    expect(new Set(consumers.map((span) => span.service))).toEqual(
      new Set(['payment', 'storage-assign', 'booking', 'mypage']),
    );
    for (const consumer of consumers) {
      expect({ consumer: consumer.name, parent: parentOf(consumer)?.kind }).toEqual({
        consumer: consumer.name,
        parent: PRODUCER,
      });
    }
    for (const producer of spans.filter((span) => span.kind === PRODUCER)) {
      const cause = parentOf(producer)!;
      expect({
        producer: producer.name,
        service: cause.service,
        kind: [SERVER, CONSUMER].includes(cause.kind),
      }).toEqual({
        producer: producer.name,
        service: producer.service,
        kind: true,
      });
    }
    // The confirmation's chain: storage-assign consumed BookingPlaced and published its outcome,
    // booking consumed that and published BookingConfirmed, my page projected it.
    const assigned = consumers.find((span) => span.service === 'booking')!;
    expect(parentOf(parentOf(assigned)!)).toMatchObject({ service: 'storage-assign', kind: CONSUMER });

    // The trace id is in the log lines of the request.
    const bookingLog = readFileSync(system.service('booking').logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes(entry.traceId));
    expect(bookingLog.some((line) => line.includes('"request completed"'))).toBe(true);
  });

  it('continues a trace the client started', async () => {
    // Fresh ids: the broker outlives a run, and a redelivered event of an earlier run must not
    // land in this trace.
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const booking = await bookAndConfirm({ traceparent: `00-${traceId}-${parentSpanId}-01` });
    const entry = await entrySpan(booking.id);
    expect(entry).toMatchObject({ traceId, parentSpanId });
    const spans = await completeTrace(traceId, parentSpanId);
    expect(spans.filter((span) => span.parentSpanId === parentSpanId)).toEqual([entry]);
  });
});

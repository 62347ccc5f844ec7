import { readFileSync } from 'node:fs';
import { http } from '../support/http';
import { jsonLogLine } from '../support/node-process';
import { RentalApi, uniqueCustomer, uniquePeriod } from '../support/rental-api';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

/**
 * Overload: when payment is slow, booking answers 503 fast (timeout, then an open circuit), takes
 * nobody's money, and recovers by itself once payment is healthy again.
 */
describe('payment slow or down', () => {
  let system: System;
  let api: RentalApi;

  beforeAll(async () => {
    system = await System.start({
      label: 'payment-resilience',
      services: ['payment', 'storage-assign', 'booking'],
      env: {
        payment: { PAYMENT_LATENCY_MS: '1200-1500' },
        booking: {
          PAYMENT_TIMEOUT_MS: '300',
          PAYMENT_RETRIES: '0',
          PAYMENT_BREAKER_MIN_CALLS: '3',
          PAYMENT_BREAKER_HALF_OPEN_MS: '1500',
        },
      },
    });
    api = new RentalApi(system);
    await api.registerUnit('S', 2000);
    await api.waitForPrice('S', 2000);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('fails fast with Retry-After, keeps no money, and recovers when payment does', async () => {
    const customerId = uniqueCustomer('overload');
    const attempt = () => api.book({ customerId, size: 'S', ...uniquePeriod(3) });
    // The first attempt carries an Idempotency-Key: nothing was accepted under it, so the same
    // request with the same key must book anew later (not replay the refusal forever).
    const keyedPeriod = uniquePeriod(3);
    const keyed = { 'idempotency-key': `${customerId}-retry` };

    for (let i = 0; i < 3; i += 1) {
      const timedOut =
        i === 0 ? await api.book({ customerId, size: 'S', ...keyedPeriod }, keyed) : await attempt();
      expect(timedOut.status).toBe(503);
      expect(timedOut.body.error).toBe('PAYMENT_UNAVAILABLE');
      expect(timedOut.body.message).toMatch(/try again shortly/);
      expect(Number(timedOut.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(timedOut.ms).toBeGreaterThanOrEqual(250);
      expect(timedOut.ms).toBeLessThan(1200);
      // A call that timed out says nothing about the next booking: the edge must ask again.
      expect(timedOut.headers.get('x-edge-hold-ms')).toBeNull();
    }
    const open = await attempt();
    expect(open.status).toBe(503);
    expect(open.ms).toBeLessThan(250);
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused at the door, it holds for every new booking: the gateway may repeat it for 50 ms.
    expect(open.headers.get('x-edge-hold-ms')).toBe('50');

    // Refused at the door while the circuit is open: no booking row for that attempt at all.
    expect(open.body.error).toBe('PAYMENT_UNAVAILABLE');
    // Nothing was accepted, and every charge that landed late is voided or refunded.
    const attempts = await api.bookingsOf(customerId);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((booking) => booking.status === 'REJECTED')).toBe(true);
    expect(attempts.every((booking) => booking.rejectionReason === 'PAYMENT_UNAVAILABLE')).toBe(true);
    for (const booking of attempts) {
      await waitFor(
        `payment of ${booking.id} to be voided or refunded`,
        () => api.payments(booking.id),
        (payments) => payments.length === 1 && ['VOIDED', 'REFUNDED'].includes(payments[0].status),
        { timeoutMs: 20_000 },
      );
    }

    await system.service('payment').stop();
    await system.startService('payment', { PAYMENT_LATENCY_MS: '0' });
    const recovered = await waitFor(
      'a booking to go through once the circuit lets a trial call pass',
      () => attempt(),
      (response) => response.status === 201,
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    await api.waitForStatus(recovered.body.id, 'CONFIRMED');
    const retried = await api.book({ customerId, size: 'S', ...keyedPeriod }, keyed);
    expect(retried.status).toBe(201);
    expect(attempts.map((booking) => booking.id)).not.toContain(retried.body.id);
    // And from now on the key means that booking.
    const replayed = await api.book({ customerId, size: 'S', ...keyedPeriod }, keyed);
    expect({ status: replayed.status, id: replayed.body.id }).toEqual({ status: 200, id: retried.body.id });
    const health = await http<{ status: string }>('GET', `${system.url('booking')}/health/ready`);
    expect(health.body.status).toBe('ok');
  });

  it('books a burst that comes just after booking starts, while payment is healthy, refusing none', async () => {
    // A fresh booking lets 4 payment calls in at once and one more per answer (the slow start):
    // the rest of a burst waits at the door for those answers instead of being refused.
    await Promise.all([system.service('payment').stop(), system.service('booking').stop()]);
    await system.startService('payment', { PAYMENT_LATENCY_MS: '20-40' });
    // The defaults' timeout (this suite's first test shortened it), and a generous wait, so that a
    // slow machine's first (cold) answers still come within them.
    await system.startService('booking', { PAYMENT_TIMEOUT_MS: '2000', PAYMENT_SLOW_START_WAIT_MS: '10000' });
    await api.waitForPrice('S', 2000);
    const customerId = uniqueCustomer('burst');
    // Periods apart from each other (uniquePeriod's), so one S unit holds them all.
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => api.book({ customerId, size: 'S', ...uniquePeriod(3) })),
    );
    expect(burst.map((response) => `${response.status} ${response.body.error ?? ''}`.trim())).toEqual(
      Array.from({ length: 30 }, () => '201'),
    );
    for (const response of burst) {
      await api.waitForStatus(response.body.id, 'CONFIRMED');
    }
    // Structured logs only: over 10 payment calls in flight once made Node print a plain-text
    // warning among booking's JSON lines.
    const unstructured = readFileSync(system.service('booking').logFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && jsonLogLine(line) === undefined);
    expect(unstructured).toEqual([]);
  });
});

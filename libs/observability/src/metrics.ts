import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * The process's one registry: every lib and app registers its series here, and `/metrics` serves
 * it. Names follow Prometheus' conventions (base units in the name, `_total` on counters) and every
 * label has a bounded set of values: topics, routes, states, never a booking id.
 */
export const metricsRegistry = new Registry();

let defaultsStarted = false;

/**
 * How often the event-loop delay is sampled, ms. prom-client's default (10) is a native timer
 * that wakes an idle service about 200 times a second (each tick can wake the loop twice: epoll's
 * timeout is rounded down to the millisecond); a wake-up cost 40 us of CPU on the slowest hosts
 * here, 0.4 % of a core per idle service for that alone. Every 100 ms still catches any stall
 * (a late tick records the whole delay); there are just fewer on-time samples beside it.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Node's own series (CPU, memory, event-loop delay, GC) and the `service` label on every series. */
export function startProcessMetrics(service: string): void {
  if (defaultsStarted) {
    return;
  }
  defaultsStarted = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}

/** The registry in Prometheus' text format (collects the scrape-time gauges first). */
export function metricsText(): Promise<string> {
  return metricsRegistry.metrics();
}

export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;

/**
 * Get-or-create: one series definition per name, even when two instances of a component (two
 * policies, two consumers in a test) ask for it; each then sets its own label values.
 */
export function counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  return (existing as Counter<L> | undefined) ?? new Counter({ ...config, registers: [metricsRegistry] });
}

export function gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  return (existing as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: [metricsRegistry] });
}

export function histogram<L extends string>(
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  return (existing as Histogram<L> | undefined) ?? new Histogram({ ...config, registers: [metricsRegistry] });
}

/** Seconds from a few milliseconds (a local call) to tens of seconds (a saga waiting out an outage). */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Longest a scrape-time reading may take; Prometheus' own scrape timeout is 10 s by default. */
export const SCRAPE_READ_TIMEOUT_MS = 2000;

/**
 * Scrape-time values (a count in the database, a lag asked of the broker) come from sources that
 * may be down; a scrape must still answer quickly with everything else. Runs `read`, giving up
 * after `timeoutMs`; undefined when it failed or was too slow.
 */
export async function readWithin<T>(
  read: () => Promise<T>,
  timeoutMs = SCRAPE_READ_TIMEOUT_MS,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      read(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Grafana dashboard (deploy/grafana) is valid JSON that Grafana can import, and its queries
 * name only series the services really export: every `*.metrics.ts` of the apps and libs is
 * loaded, with Node's default series, and the names are read from the one registry. Every series
 * of ours is on the dashboard, so a new one cannot be forgotten there.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { metricsRegistry, startProcessMetrics } from '@storage/observability';
import { readRepoFile, repoPath } from './support/repo';

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; refId: string }[];
}

const DASHBOARD = 'deploy/grafana/storage-rental.dashboard.json';
const ALERTS = 'helm/storage-rental/files/prometheus-rules.yml';
/** Series Prometheus makes itself. */
const PROMETHEUS_SERIES = new Set(['up']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const SOURCES = [...sourceFiles(repoPath('apps')), ...sourceFiles(repoPath('libs'))];
const METRIC_FILES = SOURCES.filter((path) => path.endsWith('.metrics.ts'));

/** PromQL's functions, aggregations and keywords: the other identifiers of an expression are series. */
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
  'bool',
]);

/** Series names an expression reads (label matchers, grouping labels, ranges and strings removed). */
function seriesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return (
    [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
      .map(([word]) => word)
      .filter((word) => !PROMQL_WORDS.has(word))
      // Numbers in exponent notation or durations never start a word here; keep series names only.
      .filter((word) => !/^\d/.test(word))
  );
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readRepoFile(DASHBOARD)) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel, target })),
  );
  let exported: Set<string>;
  let ours: string[];

  beforeAll(async () => {
    startProcessMetrics('dashboard-test');
    const defaults = new Set((await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name));
    for (const file of METRIC_FILES) {
      await import(file);
    }
    const metrics = await metricsRegistry.getMetricsAsJSON();
    ours = metrics.map((metric) => metric.name).filter((name) => !defaults.has(name));
    // A histogram is read through its _bucket, _sum and _count series.
    exported = new Set(
      metrics.flatMap((metric) =>
        String(metric.type) === 'histogram'
          ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
          : [metric.name],
      ),
    );
  });

  it('is an importable dashboard: a uid, a datasource variable, every query on it', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    const ids = dashboard.panels.map((panel) => (panel as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel } of queries) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: '${datasource}',
      });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('defines every series in a *.metrics.ts file (so this test sees them all)', () => {
    const definers = SOURCES.filter((path) =>
      /\b(counter|gauge|histogram)(<[^>]*>)?\(\{\s*name:/.test(readRepoFile(relative(repoPath(), path))),
    ).map((path) => relative(repoPath(), path));
    expect(definers.filter((path) => !path.endsWith('.metrics.ts'))).toEqual([]);
    expect(METRIC_FILES.length).toBeGreaterThanOrEqual(5);
  });

  it('reads only series the services export', () => {
    const unknown = queries.flatMap(({ panel, target }) =>
      seriesOf(target.expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${panel.title}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('shows every series of ours', () => {
    const read = new Set(queries.flatMap(({ target }) => seriesOf(target.expr)));
    const missing = ours.filter(
      (name) => !read.has(name) && !read.has(`${name}_bucket`) && !read.has(`${name}_count`),
    );
    expect(missing).toEqual([]);
  });
});

describe('Prometheus alerts', () => {
  const rules = (
    parse(readRepoFile(ALERTS)) as {
      groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
    }
  ).groups.flatMap((group) => group.rules);
  let exported: Set<string>;

  beforeAll(async () => {
    startProcessMetrics('alerts-test');
    for (const file of METRIC_FILES) {
      await import(file);
    }
    exported = new Set(
      (await metricsRegistry.getMetricsAsJSON()).flatMap((metric) =>
        String(metric.type) === 'histogram'
          ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
          : [metric.name],
      ),
    );
  });

  it('name only series the services (or Prometheus) export, each alert once, with a severity', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: ['warning', 'critical'].includes(rule.labels.severity) }).toEqual(
        {
          alert: rule.alert,
          severity: true,
        },
      );
      const unknown = seriesOf(rule.expr).filter(
        (name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name),
      );
      expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] });
    }
  });

  it('are each explained in docs/operations.md', () => {
    const operations = readRepoFile('docs', 'operations.md');
    expect(rules.map((rule) => rule.alert).filter((alert) => !operations.includes(alert))).toEqual([]);
  });
});

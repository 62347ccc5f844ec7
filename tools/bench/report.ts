/**
 * The bench's output: one table on the terminal, the figures as JSON, and an SVG chart (latency
 * against throughput; CPU per booking by process), each beside the previous run's figures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatementShare } from './measure';

export interface LoadPoint {
  label: string;
  /** Open-loop points form the curve; closed-loop ones are marked on their own. */
  kind: 'open' | 'closed';
  /** Accepted bookings per second. */
  throughput: number;
  p50: number;
  p99: number;
}

export interface Check {
  check: string;
  value: number;
  unit: string;
  /** `<= 20`, `>= 80`, or undefined for figures that only inform. */
  target?: { op: '<=' | '>='; limit: number };
}

export interface BenchResults {
  startedAt: string;
  /** referenceWorkMs: see machine-speed.ts (absent in results from before it). */
  machine: { cpus: number; node: string; referenceWorkMs?: number };
  checks: Check[];
  /** Points for the latency/throughput chart. */
  curve: LoadPoint[];
  /** CPU ms per confirmed booking by process, at concurrency 20. */
  cpuByProcess: Record<string, number>;
  /**
   * At concurrency 20, the statements that took Postgres the most planning and execution time per
   * booking, with how often each ran: the work to cut in the database, and the round trips.
   */
  topStatements: StatementShare[];
}

export function passes(check: Check): boolean {
  if (!check.target) return true;
  return check.target.op === '<=' ? check.value <= check.target.limit : check.value >= check.target.limit;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** The table: every check, its target, this run and the previous one. */
export function table(results: BenchResults, previous?: BenchResults): string {
  const before = new Map((previous?.checks ?? []).map((check) => [check.check, check]));
  const rows = results.checks.map((check) => {
    const target = check.target ? `${check.target.op} ${check.target.limit}` : 'informs';
    const old = before.get(check.check);
    return [
      check.target ? (passes(check) ? 'ok  ' : 'MISS') : '    ',
      `${check.check} (${check.unit})`,
      format(check.value),
      target,
      old ? format(old.value) : '-',
    ];
  });
  const header = ['', 'check', 'now', 'target', 'previous'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Latency (p50, p99) against accepted throughput, now and before; CPU per booking by process. */
export function chart(results: BenchResults, previous?: BenchResults): string {
  const width = 1010;
  const height = 420;
  const plot = { x: 70, y: 40, w: 400, h: 300 };
  const curves = [
    { name: 'p99 now', points: results.curve, key: 'p99' as const, colour: '#e15759', dash: '' },
    { name: 'p50 now', points: results.curve, key: 'p50' as const, colour: '#4e79a7', dash: '' },
    ...(previous
      ? [
          {
            name: 'p99 previous',
            points: previous.curve,
            key: 'p99' as const,
            colour: '#e15759',
            dash: '5,4',
          },
          {
            name: 'p50 previous',
            points: previous.curve,
            key: 'p50' as const,
            colour: '#4e79a7',
            dash: '5,4',
          },
        ]
      : []),
  ];
  const all = curves.flatMap((curve) => curve.points);
  const maxX = Math.max(1, ...all.map((point) => point.throughput)) * 1.1;
  const maxY = Math.max(1, ...all.map((point) => point.p99)) * 1.1;
  const x = (value: number) => plot.x + (value / maxX) * plot.w;
  const y = (value: number) => plot.y + plot.h - (value / maxY) * plot.h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${plot.x}" y="20" font-size="14" font-weight="bold">POST /api/bookings latency vs accepted bookings/s</text>`,
    `<text x="${plot.x + plot.w}" y="${plot.y + plot.h + 50}" text-anchor="end" font-size="10">line: open loop at rising rates; squares: 1, 20 and 100 clients</text>`,
    `<line x1="${plot.x}" y1="${plot.y + plot.h}" x2="${plot.x + plot.w}" y2="${plot.y + plot.h}" stroke="black"/>`,
    `<line x1="${plot.x}" y1="${plot.y}" x2="${plot.x}" y2="${plot.y + plot.h}" stroke="black"/>`,
    `<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h + 35}" text-anchor="middle">bookings/s</text>`,
    `<text x="20" y="${plot.y + plot.h / 2}" transform="rotate(-90 20 ${plot.y + plot.h / 2})" text-anchor="middle">ms</text>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const xv = (maxX * tick) / 4;
    const yv = (maxY * tick) / 4;
    parts.push(
      `<text x="${x(xv)}" y="${plot.y + plot.h + 16}" text-anchor="middle">${xv.toFixed(0)}</text>`,
      `<text x="${plot.x - 6}" y="${y(yv) + 4}" text-anchor="end">${yv.toFixed(0)}</text>`,
    );
  }
  curves.forEach((curve, index) => {
    // The open loop's rising rates make the curve; closed-loop runs are squares beside it.
    const open = curve.points.filter((point) => point.kind === 'open');
    const path = open
      .map((point) => `${x(point.throughput).toFixed(1)},${y(point[curve.key]).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${curve.colour}" stroke-width="2" stroke-dasharray="${curve.dash}"/>`,
      ...curve.points.map((point) =>
        point.kind === 'open'
          ? `<circle cx="${x(point.throughput).toFixed(1)}" cy="${y(point[curve.key]).toFixed(1)}" r="3" fill="${curve.colour}"><title>${escape(point.label)}</title></circle>`
          : `<rect x="${(x(point.throughput) - 4).toFixed(1)}" y="${(y(point[curve.key]) - 4).toFixed(1)}" width="8" height="8" fill="none" stroke="${curve.colour}"><title>${escape(point.label)}</title></rect>`,
      ),
      `<line x1="${plot.x + 10}" y1="${plot.y + 10 + index * 16}" x2="${plot.x + 30}" y2="${plot.y + 10 + index * 16}" stroke="${curve.colour}" stroke-width="2" stroke-dasharray="${curve.dash}"/>`,
      `<text x="${plot.x + 35}" y="${plot.y + 14 + index * 16}">${curve.name}</text>`,
    );
  });

  // CPU per booking by process: one stacked bar now, one before.
  const bars = [
    { label: 'now', cpu: results.cpuByProcess },
    ...(previous ? [{ label: 'previous', cpu: previous.cpuByProcess }] : []),
  ];
  const names = [...new Set(bars.flatMap((bar) => Object.keys(bar.cpu)))];
  const totals = bars.map((bar) => Object.values(bar.cpu).reduce((sum, value) => sum + value, 0));
  const maxTotal = Math.max(1, ...totals);
  const bx = 560;
  parts.push(
    `<text x="${bx}" y="20" font-size="14" font-weight="bold">CPU ms per confirmed booking (concurrency 20)</text>`,
  );
  bars.forEach((bar, index) => {
    const top = plot.y + 20 + index * 70;
    let left = bx + 70;
    parts.push(`<text x="${bx}" y="${top + 22}">${bar.label}</text>`);
    names.forEach((name, colour) => {
      const value = bar.cpu[name] ?? 0;
      const w = (value / maxTotal) * 280;
      parts.push(
        `<rect x="${left.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="32" fill="${COLOURS[colour % COLOURS.length]}"><title>${escape(name)}: ${value.toFixed(1)} ms</title></rect>`,
      );
      left += w;
    });
    parts.push(`<text x="${left + 6}" y="${top + 22}">${totals[index].toFixed(1)} ms</text>`);
  });
  names.forEach((name, colour) => {
    const top = plot.y + 180 + Math.floor(colour / 2) * 18;
    const left = bx + (colour % 2) * 190;
    const now = results.cpuByProcess[name] ?? 0;
    parts.push(
      `<rect x="${left}" y="${top - 10}" width="12" height="12" fill="${COLOURS[colour % COLOURS.length]}"/>`,
      `<text x="${left + 18}" y="${top}">${escape(name)} ${now.toFixed(1)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes latest.json (keeping the one before as previous.json), a dated copy and chart.svg. */
export function save(directory: string, results: BenchResults): { previous?: BenchResults; files: string[] } {
  mkdirSync(directory, { recursive: true });
  const latestFile = join(directory, 'latest.json');
  const previous = existsSync(latestFile)
    ? (JSON.parse(readFileSync(latestFile, 'utf8')) as BenchResults)
    : undefined;
  if (previous) writeFileSync(join(directory, 'previous.json'), JSON.stringify(previous, null, 2));
  const json = JSON.stringify(results, null, 2);
  const dated = join(directory, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(latestFile, json);
  writeFileSync(dated, json);
  const chartFile = join(directory, 'chart.svg');
  writeFileSync(chartFile, chart(results, previous));
  return { previous, files: [latestFile, dated, chartFile] };
}

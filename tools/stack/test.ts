/**
 * `npm test`: builds, starts its own Postgres and Kafka on free ports with a throw-away data dir,
 * runs the unit, integration and end-to-end suites against them, tears everything down and exits
 * with the suites' verdict. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, ROOT, startInfra, writeStackFile, type Infra } from './infra';

const log = (line: string) => process.stdout.write(`[test-stack] ${line}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const dataDir = join(ROOT, '.data', `test-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  staticChecks();
  build(log);
  let infra: Infra | undefined;
  let code = 1;
  const interrupt = () => {
    log('Interrupted; tearing down.');
    void infra?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    infra = await startInfra({ dataDir, preferDefaultPorts: false, durable: false, log });
    const stackFile = writeStackFile(infra, dataDir);
    const resultsFile = join(dataDir, 'jest-results.json');
    code = await runJest(stackFile, [...process.argv.slice(2), '--json', `--outputFile=${resultsFile}`]);
    printTotals(resultsFile);
  } catch (error) {
    log(`Test stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await infra?.stop();
  }
  if (code === 0) {
    rmSync(dataDir, { recursive: true, force: true });
  } else {
    log(`Kept ${dataDir} (service logs under logs/) for inspection.`);
  }
  log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s with exit code ${code}.`);
  return code;
}

/** One plain closing line that any CI can read: "tests: N passed, N failed, N skipped". */
function printTotals(resultsFile: string): void {
  try {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numRuntimeErrorTestSuites: number;
    };
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped\n`,
    );
  } catch {
    log('No jest results file was written.');
  }
}

/** Types, lint and formatting first: cheap, and a red one makes the slow suites pointless. */
function staticChecks(): void {
  for (const script of ['typecheck', 'lint', 'format:check']) {
    log(`npm run ${script}`);
    const result = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) {
      log(`npm run ${script} failed.`);
      process.exit(1);
    }
  }
}

function runJest(stackFile: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const jest = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', ...args],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, STACK_FILE: stackFile },
      },
    );
    jest.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
}

void main().then((code) => process.exit(code));

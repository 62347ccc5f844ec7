/**
 * `npm test`: builds, starts its own Postgres and Kafka on free ports with a throw-away data dir,
 * runs the unit, integration and end-to-end suites against them, tears everything down and exits
 * with the suites' verdict. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, ROOT, startInfra, stopInfraOnceUp, writeStackFile, type Infra } from './infra';

const log = (line: string) => process.stdout.write(`[test-stack] ${line}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const dataDir = join(ROOT, '.data', `test-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  staticChecks();
  build(log);
  let starting: Promise<Infra> | undefined;
  let jest: Jest | undefined;
  let code = 1;
  let interrupted = false;
  let tornDown: Promise<void> | undefined;
  // Once: the suites first (with the services they started), then Kafka and Postgres, even those
  // still starting, so that nothing is left running.
  const tearDown = () =>
    (tornDown ??= (async () => {
      await jest?.stop();
      await stopInfraOnceUp(starting);
    })());
  // Ctrl-C, a kill, a CI step's time limit.
  const interrupt = () => {
    log('Interrupted; tearing down.');
    interrupted = true;
    void tearDown().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const infra = await (starting = startInfra({ dataDir, preferDefaultPorts: false, durable: false, log }));
    if (!interrupted) {
      const stackFile = writeStackFile(infra, dataDir);
      const resultsFile = join(dataDir, 'jest-results.json');
      jest = new Jest(stackFile, [...process.argv.slice(2), '--json', `--outputFile=${resultsFile}`]);
      code = await jest.exited;
      if (!interrupted) printTotals(resultsFile);
    }
  } catch (error) {
    log(`Test stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await tearDown();
  }
  if (interrupted) {
    code = 130;
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

/**
 * Jest in a process group of its own, with the services its suites start: stopping it stops them
 * all (jest killed alone would leave those running). A terminal's Ctrl-C reaches this process
 * only, which stops the group.
 */
class Jest {
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;

  constructor(stackFile: string, args: string[]) {
    this.child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', ...args],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, STACK_FILE: stackFile },
        detached: true,
      },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  }

  /** Stops jest if it still runs, then whatever of its group outlived it. */
  async stop(): Promise<void> {
    const group = this.child.pid;
    if (!group) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-group, signal);
      } catch {
        // The group is empty already.
      }
    };
    if (this.child.exitCode === null && this.child.signalCode === null) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 20_000);
      await this.exited;
      clearTimeout(timer);
    }
    // A service still draining, or one a suite left running: none may outlive the test command.
    try {
      process.kill(-group, 0);
    } catch {
      return;
    }
    log("Killing what is left of jest's process group (processes its suites started)");
    signalGroup('SIGKILL');
  }
}

void main().then((code) => process.exit(code));

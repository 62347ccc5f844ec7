import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './wait-for';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One output line as a structured log line (a JSON object), or undefined when it is not one. */
export function jsonLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Node program (usually a built service: dist/apps/<name>/src/main.js) run as a child process,
 * with its output kept line by line so a test can assert on the JSON log lines it wrote.
 */
export class NodeProcess {
  private readonly child: ChildProcess;
  private readonly output: string[] = [];
  private exit?: ExitStatus;
  private readonly exited: Promise<ExitStatus>;

  constructor(
    readonly name: string,
    entryPoint: string,
    env: Record<string, string>,
  ) {
    if (!existsSync(entryPoint)) {
      throw new Error(`${entryPoint} does not exist; run "npm run build" first`);
    }
    // Only PATH is inherited: the test states the whole configuration, so a variable set in the
    // developer's shell cannot change what is being tested.
    this.child = spawn(process.execPath, [entryPoint], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One unfinished line per stream: a chunk of stderr must not be glued to half a stdout line.
    const collector = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        this.output.push(...lines.filter((line) => line.length > 0));
      };
    };
    this.child.stdout?.on('data', collector());
    this.child.stderr?.on('data', collector());
    // 'close', not 'exit': Node may emit 'exit' before the last output chunks are read, and a
    // test that reads the log after the process ended must see its last lines.
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** How the process ended (undefined while it runs). */
  get exitStatus(): ExitStatus | undefined {
    return this.exit;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Everything written so far, one entry per line (stdout and stderr interleaved). */
  lines(): readonly string[] {
    return this.output;
  }

  /** The output lines that are JSON objects (structured log lines). */
  jsonLines(): Record<string, unknown>[] {
    return this.output.flatMap((line) => {
      const parsed = jsonLogLine(line);
      return parsed ? [parsed] : [];
    });
  }

  /** Waits for a JSON log line matching the predicate and returns it. */
  async waitForLog(
    what: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const line = await waitFor(
      `${this.name} to log ${what}`,
      () => Promise.resolve(this.jsonLines().find(predicate)),
      (found) => found !== undefined,
      { timeoutMs, intervalMs: 50 },
    );
    if (line === undefined) {
      throw new Error(`${this.name} never logged ${what}`);
    }
    return line;
  }

  /**
   * Polls an HTTP URL until it answers 2xx. Fails at once, with the last output lines, if the
   * process exits meanwhile (a bad configuration), instead of waiting out the timeout.
   */
  async waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
    const outputTail = () => `\n--- ${this.name} output ---\n${this.output.slice(-30).join('\n')}`;
    try {
      await waitFor(
        `${this.name} at ${url}`,
        // A dead process ends the wait too; it is reported below.
        async () => !this.running || (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok,
        (done) => done,
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${String(error)}${outputTail()}`);
    }
    if (!this.running) {
      throw new Error(`${this.name} exited during start-up (${JSON.stringify(this.exit)})${outputTail()}`);
    }
  }

  /** SIGTERM (graceful), then SIGKILL if the process is still there after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

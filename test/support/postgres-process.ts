import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freezeFor, listProcesses } from '../../tools/stack/processes';
import { freePort } from '../../tools/stack/ports';

const ROOT = join(__dirname, '..', '..');

/**
 * A Postgres server of a suite's own, run by tools/stack/postgres-server.ts: stop() shuts the
 * real server down (connections terminated, new ones refused), start() brings it back on the same
 * port with the same data, and freeze() stops it answering without closing anything.
 */
export class PostgresProcess {
  private child?: ChildProcess;
  serverUrl = '';

  private constructor(
    private readonly dataDir: string,
    private readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<PostgresProcess> {
    const server = new PostgresProcess(dataDir, await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'tools', 'stack', 'postgres-server.ts'),
        this.dataDir,
        String(this.port),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    this.serverUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Postgres did not start in 60 s: ${output}`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /READY (\S+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Postgres exited with ${code}: ${output}`));
      });
    });
  }

  /** Freezes the server, the postmaster and every backend, for `ms` (see freezeFor). */
  freeze(ms: number): Promise<void> {
    const postmaster = Number(
      readFileSync(join(this.dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const backends = listProcesses().filter((info) => info.ppid === postmaster);
    return freezeFor([postmaster, ...backends.map((info) => info.pid)], ms);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

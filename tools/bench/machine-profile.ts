/**
 * `BENCH_PERF=1`: the whole machine's CPU, sampled by Linux `perf` over one phase. `node
 * --cpu-prof` sees only the services' JavaScript; Postgres and the broker are a third of a
 * booking's CPU and only a system profiler sees them, kernel time included (a profile of the
 * services taken on a saturated machine also counts a write that was preempted as busy; perf
 * counts CPU only). Needs `perf` (`apt-get install linux-perf`) and root or
 * kernel.perf_event_paranoid <= 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export class MachineProfile {
  private readonly child: ChildProcess;
  /** Whether it wrote its recording: perf ends on the SIGINT it is stopped with, by that signal. */
  private readonly exited: Promise<boolean>;
  private readonly errors: string[] = [];

  private constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    // 499 Hz: off the kernel's timer ticks, few enough samples to stay light; -g for call stacks.
    this.child = spawn('perf', ['record', '-F', '499', '-a', '-g', '-o', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.errors.push(chunk.toString()));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.errors.push(error.message);
        resolve(false);
      });
      this.child.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT'));
    });
  }

  static start(file: string): MachineProfile {
    const profile = new MachineProfile(file);
    // However the bench ends (a signal, a failure), perf must not go on recording the machine.
    const endRecording = () => profile.signal();
    process.once('exit', endRecording);
    void profile.exited.then(() => process.removeListener('exit', endRecording));
    return profile;
  }

  /**
   * Ends the recording and returns the CPU share of each command name (what `perf report --sort
   * comm` prints), or why there is none.
   */
  async stop(): Promise<string[]> {
    this.signal();
    if (!(await this.exited)) {
      return [`perf record failed: ${this.errors.join(' ').trim().slice(0, 300)}`];
    }
    const report = spawnSync(
      'perf',
      [
        'report',
        '-i',
        this.file,
        '--stdio',
        '--no-children',
        '--sort',
        'comm',
        '-g',
        'none',
        '--percent-limit',
        '1',
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    const shares = (report.stdout ?? '')
      .split('\n')
      .filter((line) => /^\s+[0-9.]+%/.test(line))
      .map((line) => line.trim().replace(/\s+/g, ' '));
    return [
      ...shares,
      `recorded in ${this.file}: perf report -i ${this.file} --comm postgres --sort sym --no-children`,
    ];
  }

  /** SIGINT: perf writes what it has recorded and ends. */
  private signal(): void {
    // Not when it never started: a child that failed to spawn may still hold pid 0, and a signal
    // to pid 0 goes to this whole process group.
    if (this.child.pid && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
    }
  }
}

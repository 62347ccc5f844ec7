/**
 * The machine's processes as Linux's /proc shows them, and freezing some of them: what the bench
 * measures per process and what fault tests find and stall. Linux only, like the machines here.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ is 100 on Linux: one clock tick is 10 ms. */
export const MS_PER_TICK = 10;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** CPU time used so far, user + system. */
  cpuMs: number;
  /** The command line, its arguments separated by spaces. */
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: read the fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return {
      pid,
      ppid: Number(fields[1]),
      // utime + stime (fields 14 and 15 of the file; 12 and 13 after the name).
      cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK,
      cmdline,
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** Every process running now. */
export function listProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcess(Number(entry)))
    .filter((info): info is ProcessInfo => info !== undefined);
}

/**
 * Freezes processes (SIGSTOP) for `ms`, then lets them go on (SIGCONT), for fault tests: their
 * connections stay open and nothing answers, as with a server stalled on its disk, in a long GC
 * pause, or behind a network path that drops packets (unlike a stop, whose connections are refused).
 */
export async function freezeFor(pids: readonly number[], ms: number): Promise<void> {
  for (const pid of pids) {
    process.kill(pid, 'SIGSTOP');
  }
  try {
    // The fault's length, not a wait for a condition: the stall itself is what is tested.
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    for (const pid of pids) {
      process.kill(pid, 'SIGCONT');
    }
  }
}

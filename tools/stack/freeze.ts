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

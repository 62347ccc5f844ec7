import { spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import { prioritise } from './services';

describe('prioritise', () => {
  it('gives the process the priority, or says false and leaves it as it was', () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      const before = getPriority(pid);
      // Raising needs root or CAP_SYS_NICE (root in a container may lack it, a user may have it):
      // whichever it was, the answer must tell the truth.
      const raised = prioritise(pid, -5);
      expect(getPriority(pid)).toBe(raised ? -5 : before);
      // Lowering a priority is always allowed.
      expect(prioritise(pid, 19)).toBe(true);
      expect(getPriority(pid)).toBe(19);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says false for a process that is gone', () => {
    expect(prioritise(2 ** 22 + 1, 1)).toBe(false);
  });
});

import { spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import { prioritise } from './services';

describe('prioritise', () => {
  it('gives the process the priority when this user may raise it, and says false when not', () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      const privileged = process.getuid?.() === 0;
      expect(prioritise(pid, -5)).toBe(privileged);
      expect(getPriority(pid)).toBe(privileged ? -5 : 0);
      // Lowering a priority is always allowed.
      expect(prioritise(pid, 3)).toBe(true);
      expect(getPriority(pid)).toBe(3);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says false for a process that is gone', () => {
    expect(prioritise(2 ** 22 + 1, 1)).toBe(false);
  });
});

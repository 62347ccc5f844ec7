import { EventEmitter } from 'node:events';
import { logProcessWarnings } from './process-warnings';

describe('logProcessWarnings', () => {
  it("logs each warning as one structured line instead of Node's plain-text printer", () => {
    const target = new EventEmitter();
    const printed: string[] = [];
    // Stands for Node's own listener, which writes the warning to stderr as text.
    target.on('warning', (warning: Error) => printed.push(warning.message));
    const logged: unknown[][] = [];
    logProcessWarnings({ warn: (...args: unknown[]) => logged.push(args) } as never, target);

    const warning = Object.assign(new Error('Possible EventTarget memory leak detected'), {
      name: 'MaxListenersExceededWarning',
      code: 'ERR_EXAMPLE',
    });
    target.emit('warning', warning);

    expect(printed).toEqual([]);
    expect(logged).toEqual([
      [
        expect.objectContaining({ warning: 'MaxListenersExceededWarning', code: 'ERR_EXAMPLE' }),
        'Possible EventTarget memory leak detected',
      ],
    ]);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The use-case convention, checked rather than hoped for: every folder under an app's
 * application/ (ports aside) is one use case. A read is `query-<things>`, its handler answering one
 * question per method; anything else changes state and is `<verb-noun>.handler.ts` whose one
 * public `execute` takes the `<VerbNoun>Command` declared beside it in `<verb-noun>.command.ts`.
 */
const ROOT = join(__dirname, '..', '..');

const pascal = (kebab: string) =>
  kebab
    .split('-')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

function useCases(): { app: string; name: string; dir: string }[] {
  const apps = join(ROOT, 'apps');
  return readdirSync(apps).flatMap((app) => {
    const application = join(apps, app, 'src', 'application');
    if (!existsSync(application)) {
      return [];
    }
    return readdirSync(application, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'ports')
      .map((entry) => ({ app, name: entry.name, dir: join(application, entry.name) }));
  });
}

describe('use-case layout', () => {
  const all = useCases();

  it('finds the use cases of the data services', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all.map((useCase) => useCase.app))).toEqual(
      new Set(['booking', 'mypage', 'payment', 'storage-assign']),
    );
  });

  it.each(
    all
      .filter((useCase) => !useCase.name.startsWith('query-'))
      .map((useCase) => [useCase.app, useCase.name, useCase.dir]),
  )('%s %s: execute(command: <VerbNoun>Command), the command beside the handler', (_app, name, dir) => {
    const handler = readFileSync(join(dir, `${name}.handler.ts`), 'utf8');
    const command = readFileSync(join(dir, `${name}.command.ts`), 'utf8');
    const commandClass = `${pascal(name)}Command`;
    expect(command).toMatch(new RegExp(`export class ${commandClass}\\b`));
    expect(handler).toMatch(new RegExp(`export class ${pascal(name)}Handler\\b`));
    expect(handler).toMatch(new RegExp(`\\n  (async )?execute\\([^)]*: ${commandClass}\\)`));
  });

  it.each(
    all
      .filter((useCase) => useCase.name.startsWith('query-'))
      .map((useCase) => [useCase.app, useCase.name, useCase.dir]),
  )('%s %s: a read, no command and no execute', (_app, name, dir) => {
    const handler = readFileSync(join(dir, `${name}.handler.ts`), 'utf8');
    expect(existsSync(join(dir, `${name}.command.ts`))).toBe(false);
    expect(handler).toMatch(new RegExp(`export class ${pascal(name)}Handler\\b`));
    expect(handler).not.toMatch(/\n {2}(async )?execute\(/);
  });
});

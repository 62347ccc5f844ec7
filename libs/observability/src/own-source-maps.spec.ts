import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { mapOwnStackTraces } from './own-source-maps';

/** Compiles `source` as tsc does for the build (CommonJS, a map beside the file) into `dir`. */
function compile(dir: string, name: string, source: string): string {
  const output = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true },
  });
  const file = join(dir, `${name}.js`);
  writeFileSync(file, output.outputText);
  writeFileSync(`${file}.map`, output.sourceMapText!);
  return file;
}

// Blank lines and a type-only declaration push the throw to a different line in the JavaScript.
const THROWER = `
interface Shape {
  kind: string;
}

export function fail(shape: Shape): never {
  throw new Error('bad ' + shape.kind);
}
`;

describe('mapOwnStackTraces', () => {
  const original = Error.prepareStackTrace;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'own-maps-'));
  });

  afterEach(() => {
    Error.prepareStackTrace = original;
    rmSync(dir, { recursive: true, force: true });
  });

  function stackOf(file: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fail } = require(file) as { fail: (shape: { kind: string }) => never };
    try {
      fail({ kind: 'size' });
    } catch (error) {
      return (error as Error).stack ?? '';
    }
    throw new Error('fail() returned');
  }

  it("points a frame of the project's own code at its TypeScript line", () => {
    const own = join(dir, 'dist');
    mkdirSync(own);
    const file = compile(own, 'thrower', THROWER);
    mapOwnStackTraces(own);
    const stack = stackOf(file);
    expect(stack.split('\n')[0]).toBe('Error: bad size');
    expect(stack).toContain(`at fail (${join(own, 'thrower.ts')}:7:9)`);
    expect(stack).not.toContain('thrower.js');
  });

  it('leaves frames outside the root, and files without a map, as V8 writes them', () => {
    const own = join(dir, 'dist');
    const outside = join(dir, 'vendor');
    mkdirSync(own);
    mkdirSync(outside);
    const foreign = compile(outside, 'thrower', THROWER);
    const unmapped = compile(own, 'unmapped', THROWER);
    rmSync(`${unmapped}.map`);
    mapOwnStackTraces(own);
    expect(stackOf(foreign)).toMatch(
      new RegExp(`at fail \\(${foreign.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+\\)`),
    );
    expect(stackOf(unmapped)).toContain(`at fail (${unmapped}:`);
  });
});

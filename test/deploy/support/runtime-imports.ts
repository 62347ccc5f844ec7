/**
 * What a service loads at runtime, followed from apps/<app>/src/main.ts through its own files and
 * the shared libraries. Each file is transpiled the way tsc emits it, so imports used only as types
 * are gone and decorator metadata keeps what it references, exactly as in dist/.
 */
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './repo';

export interface RuntimeImports {
  /** Repository files (relative, with /) the service loads. */
  files: string[];
  /** npm packages it requires, by package name. */
  packages: string[];
  /** Imports that resolve to nothing, or outside what the image holds. */
  problems: string[];
}

const BUILTINS = new Set(builtinModules);
const transpiled = new Map<string, string[]>();

function requiredSpecifiers(file: string): string[] {
  const cached = transpiled.get(file);
  if (cached) return cached;
  const output = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  }).outputText;
  const specifiers = [...output.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
    ([, specifier]) => specifier,
  );
  transpiled.set(file, specifiers);
  return specifiers;
}

function resolveSource(base: string): string | undefined {
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Follows the imports of one service. `allowedRoots` are the folders the image holds (the app's own
 * folder and libs/); a relative import outside them would be missing from the image.
 */
export function runtimeImports(app: string): RuntimeImports {
  const allowedRoots = [join(ROOT, 'apps', app), join(ROOT, 'libs')];
  const entry = join(ROOT, 'apps', app, 'src', 'main.ts');
  const seen = new Set<string>();
  const packages = new Set<string>();
  const problems: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const from = relative(ROOT, file);
    for (const specifier of requiredSpecifiers(file)) {
      if (specifier.startsWith('node:') || BUILTINS.has(specifier)) continue;
      let target: string | undefined;
      if (specifier.startsWith('.')) {
        target = resolveSource(resolve(dirname(file), specifier));
      } else if (specifier.startsWith('@storage/')) {
        target = resolveSource(join(ROOT, 'libs', specifier.slice('@storage/'.length), 'src'));
      } else {
        packages.add(packageName(specifier));
        continue;
      }
      if (!target) {
        problems.push(`${from}: cannot resolve ${specifier}`);
      } else if (!allowedRoots.some((root) => target.startsWith(`${root}/`))) {
        problems.push(`${from}: imports ${relative(ROOT, target)}, which is not in the ${app} image`);
      } else {
        queue.push(target);
      }
    }
  }
  return {
    files: [...seen].map((file) => relative(ROOT, file)).sort(),
    packages: [...packages].sort(),
    problems,
  };
}

/** Packages `npm ci --omit=dev` installs: the lockfile's entries not marked dev-only. */
export function productionPackages(): Set<string> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return new Set(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  );
}

import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve, sep } from 'node:path';

/**
 * Stack traces that point at the TypeScript source of the project's own code, mapped when a stack
 * is formatted, one map read per file the first time one of its frames is shown.
 *
 * Instead of Node's `--enable-source-maps`, which parses at load time the map of every module
 * that ships one and keeps it for the life of the process: node_modules holds 80 MB of maps
 * (TypeORM's carry their full TypeScript sources), and a service paid 10-20 MB of memory for
 * frames it never prints. Frames outside `root` (dependencies, Node itself) stay as V8 writes them.
 */
export function mapOwnStackTraces(root: string): void {
  const own = root.endsWith(sep) ? root : `${root}${sep}`;
  const maps = new Map<string, SourceMap | null>();

  const mapOf = (file: string): SourceMap | null => {
    let map = maps.get(file);
    if (map === undefined) {
      map = null;
      if (file.startsWith(own) && !file.includes(`${sep}node_modules${sep}`)) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as never);
        } catch {
          // No map beside it (or not readable): the frame stays as it is.
        }
      }
      maps.set(file, map);
    }
    return map;
  };

  const where = (frame: NodeJS.CallSite): string => {
    // V8's own rendering of the frame ("fn (file:line:column)", "async fn (...)", "new C (...)").
    const text = (frame as NodeJS.CallSite & { toString(): string }).toString();
    const file = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (!file || line === null || column === null) {
      return text;
    }
    const entry = mapOf(file)?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) {
      return text;
    }
    const source = resolve(dirname(file), entry.originalSource);
    return text.replace(
      `${file}:${line}:${column}`,
      `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`,
    );
  };

  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    return [header, ...frames.map((frame) => `    at ${where(frame)}`)].join('\n');
  };
}

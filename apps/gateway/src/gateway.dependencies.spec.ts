import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Every file of the gateway but its tests and main.ts (which starts the service when loaded). */
function gatewayFiles(dir = __dirname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return gatewayFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('.spec.') && entry.name !== 'main.ts'
      ? [path]
      : [];
  });
}

/** The packages a fresh Node process holds once it has loaded these files (through tsx). */
function packagesLoadedBy(files: readonly string[], libs: readonly string[]): string[] {
  const script = `
    for (const lib of ${JSON.stringify(libs)}) require(lib);
    for (const file of ${JSON.stringify(files)}) require(file);
    const names = new Set();
    for (const path of Object.keys(require.cache)) {
      const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(path);
      if (match) names.add(match[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const printed = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(printed) as string[];
}

describe('what the gateway loads', () => {
  // The gateway has no database, consumes no topic and proxies with undici: an ORM, a database
  // driver, a broker client or axios in its process is memory (about 4 MB of RSS) and start-up
  // time for nothing, and a sign that a lib it uses reaches into the data services' kit.
  it('loads no ORM, database driver, Kafka client nor axios', () => {
    const files = gatewayFiles().map((file) => `./${relative(ROOT, file)}`);
    expect(files.length).toBeGreaterThan(10);
    const loaded = packagesLoadedBy(files, ['@storage/service-kit', '@storage/config', '@storage/health']);
    // What the gateway does use is there: the check reads what the process loaded.
    expect(loaded).toEqual(expect.arrayContaining(['@nestjs/core', '@fastify/reply-from']));
    // (@nestjs/microservices is not in the list: @nestjs/core itself loads it when it is installed.)
    for (const forbidden of ['typeorm', '@nestjs/typeorm', 'pg', 'kafkajs', 'axios', '@nestjs/axios']) {
      expect(loaded).not.toContain(forbidden);
    }
  });
});

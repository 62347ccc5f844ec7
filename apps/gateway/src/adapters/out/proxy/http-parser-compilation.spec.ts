import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..', '..', '..');

/**
 * The most native memory V8 held at once (MB) in a fresh process that sends enough requests
 * through undici for V8 to want its HTTP parser optimised, with or without the call first.
 */
function peakCompilerMemoryMb(keepBaseline: boolean): number {
  const script = `
    const { getHeapStatistics } = require('node:v8');
    const { createServer } = require('node:http');
    if (${keepBaseline}) {
      require('./apps/gateway/src/adapters/out/proxy/http-parser-compilation').keepHttpParserOnBaselineCompiler();
    }
    const { Pool } = require('undici');
    const server = createServer((_req, res) => res.end(JSON.stringify({ status: 'PAID', id: 'x'.repeat(36) })));
    server.listen(0, '127.0.0.1', async () => {
      const pool = new Pool('http://127.0.0.1:' + server.address().port, { connections: 4 });
      for (let i = 0; i < 4000; i++) {
        const { body } = await pool.request({ path: '/bookings', method: 'GET' });
        await body.text();
      }
      // Tier-up compiles run on background threads: wait (up to 5 s) for one to show.
      const peakMb = () => getHeapStatistics().peak_malloced_memory / 1048576;
      const deadline = Date.now() + 5000;
      while (peakMb() <= 20 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.stdout.write(String(peakMb()));
      await pool.close();
      server.close();
    });
  `;
  const printed = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return Number(printed);
}

describe('keepHttpParserOnBaselineCompiler', () => {
  it("keeps undici's parser from the optimising compile that takes tens of MB at once", () => {
    const optimised = peakCompilerMemoryMb(false);
    const baseline = peakCompilerMemoryMb(true);
    // Measured: about 35-40 MB without the call, 3-6 MB with it.
    expect(optimised).toBeGreaterThan(20);
    expect(baseline).toBeLessThan(12);
  });
});

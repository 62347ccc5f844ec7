import { randomInt } from 'node:crypto';
import { mkdirSync, openSync, closeSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports handed out below Linux's ephemeral range (32768-60999), where no outgoing connection
 * takes one as its local port, and above the well-known services'.
 */
const FIRST_PORT = 20_000;
const LAST_PORT = 32_767;
/** Claims of handed-out ports, one file each, shared by every process on the machine. */
const CLAIMS = join(tmpdir(), 'storage-rental-ports');
/** Long enough for the process a port is for to bind it; after that the OS guards the port. */
const CLAIM_MS = 10 * 60_000;

/** Claims `port` for this caller unless another took it within CLAIM_MS. */
function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < CLAIM_MS) {
        return false;
      }
      unlinkSync(file);
      closeSync(openSync(file, 'wx'));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * A free port for a server this caller is about to start, used so two stacks (dev and test) and
 * parallel test workers never collide. The OS's own "any free port" is not enough: it is free
 * only until someone binds it, and between the hand-out and the service's bind (seconds: the
 * service starts up first) another worker was handed the same port and bound it first; the
 * service then failed with EADDRINUSE while the other answered its health checks (found in CI).
 * So each port handed out is claimed machine-wide for a while, and comes from outside the
 * ephemeral range.
 */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const port = randomInt(FIRST_PORT, LAST_PORT + 1);
    if ((await isPortFree(port)) && claim(port)) {
      return port;
    }
  }
  throw new Error(`No free port in ${FIRST_PORT}-${LAST_PORT}`);
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The preferred port when it is free (stable URLs for people), any free port otherwise. */
export async function preferredPort(preferred: number | undefined): Promise<number> {
  if (preferred !== undefined && (await isPortFree(preferred))) {
    return preferred;
  }
  return freePort();
}

import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The dev issuer's signing key for a local stack, kept in a file beside the stack's data: made
 * once (EC P-256, PKCS#8 PEM, readable by its owner alone) and read at every start after. Without
 * it the gateway generates a key at each start, and a gateway restarted by the stack (a crash, a
 * rebuild in watch mode) or a stack started again would turn every token a client holds into a
 * 401 while the bookings those tokens made are all still there.
 */
export function devIssuerKey(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  mkdirSync(dirname(file), { recursive: true });
  // `wx`: two stacks starting at once on the same data keep whichever key was written first.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return readFileSync(file, 'utf8');
    }
    throw error;
  }
  return pem;
}

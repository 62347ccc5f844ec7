import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/**
 * Node prints its own warnings (a deprecation, too many listeners on one target) to stderr as
 * plain text: one line among the JSON ones, which a log pipeline then cannot parse. Each is logged
 * as one JSON line instead. Removing Node's listener is how its default printing is turned off
 * (as `--no-warnings` would, which would also hide them from us).
 */
export function logProcessWarnings(logger: Pick<Logger, 'warn'>, target: EventEmitter = process): void {
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error & { code?: string }) => {
    logger.warn({ warning: warning.name, code: warning.code, err: warning.stack }, warning.message);
  });
}

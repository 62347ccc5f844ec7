export type UnavailableReason = 'timeout' | 'circuit-open' | 'overloaded' | 'unreachable' | 'upstream-error';

/**
 * A dependency could not give an answer (as opposed to answering "no"). Callers turn it into
 * their own "try again shortly"; `retryAfterSeconds` says when trying again makes sense.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    readonly reason: UnavailableReason,
    readonly retryAfterSeconds: number,
    override readonly cause?: unknown,
  ) {
    super(`${dependency} unavailable (${reason})`);
    this.name = 'DependencyUnavailableError';
  }
}

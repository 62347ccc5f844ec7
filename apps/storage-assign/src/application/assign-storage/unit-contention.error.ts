/** Transient: every candidate unit is locked by a concurrent assignment; the consumer retries. */
export class UnitContentionError extends Error {
  /** Read by the consumer's failure classification: retry, never dead-letter. */
  readonly transient = true;
  constructor(size: string) {
    super(`All free ${size} units are being assigned concurrently; retry`);
    this.name = 'UnitContentionError';
  }
}

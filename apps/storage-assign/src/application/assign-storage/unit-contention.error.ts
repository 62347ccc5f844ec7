/** Transient: every candidate unit is locked by a concurrent assignment; the consumer retries. */
export class UnitContentionError extends Error {
  constructor(size: string) {
    super(`All free ${size} units are being assigned concurrently; retry`);
    this.name = 'UnitContentionError';
  }
}

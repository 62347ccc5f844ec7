/**
 * Base of every business rule violation. The code is stable and machine-readable (API answers, DLQ
 * reasons); the HTTP status it is answered with sits beside it, so a new error cannot go unmapped:
 * a subclass without one does not compile.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** The HTTP status of the answer: 4xx for a refused request, 503 for "not now, retry". */
  abstract readonly status: number;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

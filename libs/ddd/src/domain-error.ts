/**
 * Base of every business rule violation. The code is stable and machine-readable; adapters map it
 * to a transport status (HTTP, DLQ reason), the domain never knows about those.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

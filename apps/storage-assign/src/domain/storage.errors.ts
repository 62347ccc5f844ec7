import { DomainError } from '@storage/ddd';

export class StorageUnitNotFoundError extends DomainError {
  readonly code = 'STORAGE_UNIT_NOT_FOUND';
  readonly status = 404;
  constructor(unitId: string) {
    super(`Storage unit ${unitId} does not exist`, { unitId });
  }
}

export class DuplicateUnitCodeError extends DomainError {
  readonly code = 'STORAGE_UNIT_CODE_TAKEN';
  readonly status = 409;
  constructor(code: string) {
    super(`A storage unit with code ${code} already exists`, { code });
  }
}

export class IllegalUnitTransitionError extends DomainError {
  readonly code = 'STORAGE_UNIT_ILLEGAL_TRANSITION';
  readonly status = 409;
  constructor(unitId: string, from: string, to: string) {
    super(`Storage unit ${unitId} cannot go from ${from} to ${to}`, { unitId, from, to });
  }
}

export class InvalidMaintenanceWindowError extends DomainError {
  readonly code = 'INVALID_MAINTENANCE_WINDOW';
  readonly status = 422;
  constructor(unitId: string, until: string, today: string) {
    super(`A maintenance window must end after today (${today} UTC); got until ${until}`, {
      unitId,
      until,
      today,
    });
  }
}

/** Concurrent assignments hold every candidate unit right now; the caller should retry shortly. */
export class StorageBusyError extends DomainError {
  readonly code = 'STORAGE_BUSY';
  readonly status = 503;
  readonly retryAfterSeconds = 1;
  /** Trying again shortly can succeed: consumers retry it instead of dead-lettering. */
  readonly transient = true;
  constructor() {
    super('Units are being assigned concurrently; try again shortly');
  }
}

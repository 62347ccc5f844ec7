import { CreateStorage1763700000200 } from './1763700000200-create-storage';
import { AssignmentReconciliation1764600000200 } from './1764600000200-assignment-reconciliation';
import { MaintenanceWindow1764900000200 } from './1764900000200-maintenance-window';
import { UnitVersion1765300000200 } from './1765300000200-unit-version';

/** storage-assign's schema, in order (the messaging tables' migrations run before these). */
export const STORAGE_ASSIGN_MIGRATIONS = [
  CreateStorage1763700000200,
  AssignmentReconciliation1764600000200,
  MaintenanceWindow1764900000200,
  UnitVersion1765300000200,
];

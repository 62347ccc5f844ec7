import { AssignmentFailureOrmEntity } from './assignment-failure.orm-entity';
import { AssignmentOrmEntity } from './assignment.orm-entity';
import { StorageUnitOrmEntity } from './storage-unit.orm-entity';

/** The service's own tables (the outbox and inbox come with the messaging library). */
export const STORAGE_ASSIGN_ENTITIES = [
  StorageUnitOrmEntity,
  AssignmentOrmEntity,
  AssignmentFailureOrmEntity,
];

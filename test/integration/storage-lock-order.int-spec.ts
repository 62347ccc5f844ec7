import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RentalPeriod } from '@storage/ddd';
import { Outbox } from '@storage/messaging';
import { TypeOrmUnitOfWork } from '@storage/persistence';
import { AssignmentTypeormRepository } from '../../apps/storage-assign/src/adapters/out/persistence/assignment.typeorm-repository';
import { StorageUnitTypeormRepository } from '../../apps/storage-assign/src/adapters/out/persistence/storage-unit.typeorm-repository';
import {
  AssignmentMovedError,
  CompleteRentalHandler,
} from '../../apps/storage-assign/src/application/complete-rental/complete-rental.handler';
import { ReleaseStorageHandler } from '../../apps/storage-assign/src/application/release-storage/release-storage.handler';
import { RetireUnitHandler } from '../../apps/storage-assign/src/application/retire-unit/retire-unit.handler';
import { Assignment, StorageUnit, type UnitSize } from '../../apps/storage-assign/src/domain';
import { STORAGE_ASSIGN_ENTITIES } from '../../apps/storage-assign/src/adapters/out/persistence/storage-assign.entities';
import { STORAGE_ASSIGN_MIGRATIONS } from '../../apps/storage-assign/src/migrations';
import { freshServiceDatabase } from '../support/database';
import { waitFor } from '../support/wait-for';
import { CompleteRentalCommand } from '../../apps/storage-assign/src/application/complete-rental/complete-rental.command';
import { ReleaseStorageCommand } from '../../apps/storage-assign/src/application/release-storage/release-storage.command';
import { RetireUnitCommand } from '../../apps/storage-assign/src/application/retire-unit/retire-unit.command';

/** A point where a transaction stops until the test lets it go on. */
class Gate {
  private held?: { reached: () => void; open: Promise<void> };

  /** Arms the gate: the next pass() stops there. */
  arm(): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.held = { reached, open: new Promise<void>((resolve) => (open = resolve)) };
    return { reached: reachedPromise, open };
  }

  async pass(): Promise<void> {
    const held = this.held;
    if (held) {
      this.held = undefined;
      held.reached();
      await held.open;
    }
  }
}

/** Stops after the next unit save (retirement: the unit is locked and RETIRED). */
class GatedUnitRepository extends StorageUnitTypeormRepository {
  readonly afterSave = new Gate();

  override async save(unit: StorageUnit): Promise<void> {
    await super.save(unit);
    await this.afterSave.pass();
  }
}

/** Stops after the next assignment insert (retirement: the replacement is written) or save. */
class GatedAssignmentRepository extends AssignmentTypeormRepository {
  readonly afterInsert = new Gate();
  readonly afterSave = new Gate();

  override async insert(assignment: Assignment): Promise<void> {
    await super.insert(assignment);
    await this.afterInsert.pass();
  }

  override async save(assignment: Assignment): Promise<void> {
    await super.save(assignment);
    await this.afterSave.pass();
  }
}

/**
 * Interleavings found by review, forced for real on Postgres: one transaction is held at a chosen
 * point and the other is started against it.
 */
describe('storage-assign lock order (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshServiceDatabase>>;
  let dataSource: DataSource;
  let units: GatedUnitRepository;
  let assignments: GatedAssignmentRepository;
  let retire: RetireUnitHandler;
  let release: ReleaseStorageHandler;
  let complete: CompleteRentalHandler;
  const period = RentalPeriod.of('2045-03-01', '2045-04-01');

  beforeAll(async () => {
    db = await freshServiceDatabase(STORAGE_ASSIGN_ENTITIES, STORAGE_ASSIGN_MIGRATIONS);
    dataSource = db.dataSource;
    units = new GatedUnitRepository(dataSource, new Outbox());
    assignments = new GatedAssignmentRepository(dataSource, new Outbox());
    const unitOfWork = new TypeOrmUnitOfWork(dataSource);
    retire = new RetireUnitHandler(units, assignments, unitOfWork);
    release = new ReleaseStorageHandler(assignments, unitOfWork);
    complete = new CompleteRentalHandler(assignments, units, unitOfWork);
  });

  afterAll(() => db.drop());

  /** Two units of the size; the booking holds the first. */
  async function bookedUnit(size: UnitSize): Promise<{ bookingId: string; unitId: string; spareId: string }> {
    const held = StorageUnit.register({ code: `${size}-HELD`, size, dailyRate: 1000 });
    const spare = StorageUnit.register({ code: `${size}-SPARE`, size, dailyRate: 1000 });
    const bookingId = randomUUID();
    await new TypeOrmUnitOfWork(dataSource).run(async () => {
      await units.insert(held);
      await units.insert(spare);
      await assignments.insert(
        Assignment.assign({ bookingId, unitId: held.id, unitCode: `${size}-HELD`, size, period }),
      );
    });
    return { bookingId, unitId: held.id, spareId: spare.id };
  }

  const waitingOnLocks = () =>
    waitFor(
      'a transaction to wait on a lock',
      () =>
        dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        ),
      ([row]) => row.n > 0,
      { timeoutMs: 10_000, intervalMs: 20 },
    );

  const assignmentsOf = (bookingId: string) =>
    dataSource.query<{ unit_id: string; status: string }[]>(
      `SELECT unit_id, status FROM assignment WHERE booking_id = $1 ORDER BY created_at`,
      [bookingId],
    );

  it('a cancellation that arrives while retirement moves the booking releases the replacement unit', async () => {
    const { bookingId, unitId, spareId } = await bookedUnit('S');
    const gate = assignments.afterInsert.arm();
    const retiring = retire.execute(new RetireUnitCommand(unitId));
    await gate.reached;
    // Retirement has moved the booking and not committed yet; the release must wait, then see it.
    const releasing = release.execute(new ReleaseStorageCommand(bookingId, 'CUSTOMER_CANCELLED'));
    await waitingOnLocks();
    gate.open();
    const [retired, released] = await Promise.all([retiring, releasing]);
    expect(retired.reassigned).toHaveLength(1);
    expect(released).toBe(true);
    const rows = await assignmentsOf(bookingId);
    expect(rows.filter((row) => row.status === 'ACTIVE')).toEqual([]);
    expect(rows.find((row) => row.unit_id === spareId)?.status).toBe('RELEASED');
  });

  it('a retirement that arrives while the booking is being released leaves it released', async () => {
    const { bookingId, unitId, spareId } = await bookedUnit('M');
    const gate = assignments.afterSave.arm();
    const releasing = release.execute(new ReleaseStorageCommand(bookingId, 'CUSTOMER_CANCELLED'));
    await gate.reached;
    const retiring = retire.execute(new RetireUnitCommand(unitId));
    await waitingOnLocks();
    gate.open();
    const [released, retired] = await Promise.all([releasing, retiring]);
    expect(released).toBe(true);
    expect(retired).toMatchObject({ reassigned: [], revoked: [] });
    const rows = await assignmentsOf(bookingId);
    expect(rows.map((row) => row.status)).toEqual(['RELEASED']);
    expect(rows.some((row) => row.unit_id === spareId)).toBe(false);
  });

  it('completion and retirement of the same unit never deadlock; completion follows the move', async () => {
    const { bookingId, unitId, spareId } = await bookedUnit('L');
    const gate = units.afterSave.arm();
    const retiring = retire.execute(new RetireUnitCommand(unitId));
    await gate.reached;
    // Retirement holds the unit and is about to take the booking's assignment.
    const completing = complete.execute(new CompleteRentalCommand(bookingId)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await waitingOnLocks();
    gate.open();
    const retired = await retiring;
    expect(retired.reassigned).toHaveLength(1);
    const first = await completing;
    // The booking moved under it: a transient failure the consumer retries, never a deadlock.
    expect('error' in first ? first.error : undefined).toBeInstanceOf(AssignmentMovedError);
    await expect(complete.execute(new CompleteRentalCommand(bookingId))).resolves.toBe(true);
    const rows = await assignmentsOf(bookingId);
    expect(rows.find((row) => row.unit_id === spareId)?.status).toBe('COMPLETED');
  });
});

import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RentalPeriod } from '@storage/ddd';
import { Outbox } from '@storage/messaging';
import { runInTransaction } from '@storage/persistence';
import type { FreeUnitSearch } from '../../apps/storage-assign/src/application/ports/assignment.repository.port';
import { AssignmentTypeormRepository } from '../../apps/storage-assign/src/adapters/out/persistence/assignment.typeorm-repository';
import { AvailabilityTypeormReader } from '../../apps/storage-assign/src/adapters/out/persistence/availability.typeorm-reader';
import { StorageUnitTypeormRepository } from '../../apps/storage-assign/src/adapters/out/persistence/storage-unit.typeorm-repository';
import {
  Assignment,
  AssignmentFailure,
  DuplicateUnitCodeError,
  StorageUnit,
} from '../../apps/storage-assign/src/domain';
import { STORAGE_ASSIGN_ENTITIES } from '../../apps/storage-assign/src/adapters/out/persistence/storage-assign.entities';
import { STORAGE_ASSIGN_MIGRATIONS } from '../../apps/storage-assign/src/migrations';
import { freshServiceDatabase } from '../support/database';

describe('storage-assign persistence (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshServiceDatabase>>;
  let dataSource: DataSource;
  let units: StorageUnitTypeormRepository;
  let assignments: AssignmentTypeormRepository;
  let inventory: AvailabilityTypeormReader;
  const period = RentalPeriod.of('2040-01-01', '2040-02-01');
  /** Units of a size free from a day to the end of dates: what booking's pre-check counts. */
  const freeOnwards = async (size: 'S' | 'M' | 'L', from: string) =>
    (await inventory.availability(RentalPeriod.of(from, '9999-12-31'), size))[0].freeUnits;

  beforeAll(async () => {
    db = await freshServiceDatabase(STORAGE_ASSIGN_ENTITIES, STORAGE_ASSIGN_MIGRATIONS);
    dataSource = db.dataSource;
    units = new StorageUnitTypeormRepository(dataSource, new Outbox());
    assignments = new AssignmentTypeormRepository(dataSource, new Outbox());
    inventory = new AvailabilityTypeormReader(dataSource);
    for (const code of ['L-1', 'L-2']) {
      await inUnitOfWork(() => units.insert(StorageUnit.register({ code, size: 'L', dailyRate: 9000 })));
    }
  });

  afterAll(() => db.drop());

  /** Writes of several statements run in a unit of work, as the use cases run them. */
  const inUnitOfWork = <T>(work: () => Promise<T>) => runInTransaction(dataSource, work);

  /** A new booking's assignment of `unit` for `rental`. */
  const assignUnit = (unit: StorageUnit, rental: RentalPeriod, bookingId: string = randomUUID()) =>
    inUnitOfWork(() =>
      assignments.insert(
        Assignment.assign({
          bookingId,
          unitId: unit.id,
          unitCode: unit.code,
          size: unit.size,
          period: rental,
        }),
      ),
    );

  async function registrationsOf(code: string): Promise<number> {
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM outbox_message
       WHERE event_type = 'StorageUnitRegistered' AND envelope->'payload'->>'code' = $1`,
      [code],
    );
    return count;
  }

  it('writes nothing of several statements outside a unit of work', async () => {
    await expect(
      units.insert(StorageUnit.register({ code: 'L-LOOSE', size: 'L', dailyRate: 1 })),
    ).rejects.toThrow('must run inside a unit of work');
    expect((await units.list({ size: 'L' })).map((unit) => unit.code)).not.toContain('L-LOOSE');
    expect(await registrationsOf('L-LOOSE')).toBe(0);
  });

  it('refuses a duplicate unit code and writes the registration to the outbox', async () => {
    await expect(
      inUnitOfWork(() => units.insert(StorageUnit.register({ code: 'L-1', size: 'L', dailyRate: 1 }))),
    ).rejects.toThrow(DuplicateUnitCodeError);
    // The first L-1 was announced once; the refused one adds nothing.
    expect(await registrationsOf('L-1')).toBe(1);
  });

  it('lets the database itself refuse overlapping assignments of one unit', async () => {
    const [unit] = await units.list({ size: 'L' });
    const assign = (start: string, end: string, bookingId?: string) =>
      assignUnit(unit, RentalPeriod.of(start, end), bookingId);
    const eventsOf = async (bookingId: string) =>
      (
        await dataSource.query<{ event_type: string }[]>(
          'SELECT event_type FROM outbox_message WHERE message_key = $1',
          [bookingId],
        )
      ).map((row) => row.event_type);
    await assign('2041-01-01', '2041-01-10');
    // The row and its event are one statement: the refused row takes its event with it.
    const refused = randomUUID();
    await expect(assign('2041-01-09', '2041-01-20', refused)).rejects.toMatchObject({ code: '23P01' });
    expect(await eventsOf(refused)).toEqual([]);
    const accepted = randomUUID();
    await expect(assign('2041-01-10', '2041-01-20', accepted)).resolves.toBeUndefined();
    expect(await eventsOf(accepted)).toEqual(['StorageAssigned']);
  });

  it('gives concurrent claims different units, reports contention while they hold them, then none', async () => {
    const period = RentalPeriod.of('2043-01-01', '2043-02-01');
    const holders: { release: () => void; done: Promise<unknown> }[] = [];
    const claims: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let claimed!: () => void;
      const claimedOnce = new Promise<void>((resolve) => (claimed = resolve));
      const done = runInTransaction(dataSource, async () => {
        const claim = await assignments.claimFreeUnit('L', period);
        claims.push(claim.kind === 'found' ? claim.unitId : claim.kind);
        claimed();
        await held;
        if (claim.kind === 'found') {
          await assignments.insert(
            Assignment.assign({
              bookingId: randomUUID(),
              unitId: claim.unitId,
              unitCode: claim.unitCode,
              size: 'L',
              period,
            }),
          );
        }
      });
      holders.push({ release, done });
      await claimedOnce;
    }
    expect(new Set(claims).size).toBe(2);
    expect(claims.every((claim) => claim.length === 36)).toBe(true);

    const whileHeld = await runInTransaction(dataSource, () => assignments.claimFreeUnit('L', period));
    expect(whileHeld.kind).toBe('contended');

    holders.forEach((holder) => holder.release());
    await Promise.all(holders.map((holder) => holder.done));
    const afterwards = await runInTransaction(dataSource, () => assignments.claimFreeUnit('L', period));
    expect(afterwards.kind).toBe('none');
  });

  it('claims for a booking only while it holds no active assignment, and then locks no unit', async () => {
    const rental = RentalPeriod.of('2045-01-01', '2045-02-01');
    const bookingId = randomUUID();
    const first = await runInTransaction(dataSource, () =>
      assignments.claimFreeUnit('L', rental, { unlessHeldBy: bookingId }),
    );
    expect(first.kind).toBe('found');
    const [unit] = (await units.list({ size: 'L' })).filter(
      (candidate) => first.kind === 'found' && candidate.id === first.unitId,
    );
    await assignUnit(unit, rental, bookingId);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let answered!: (search: FreeUnitSearch) => void;
    const answer = new Promise<FreeUnitSearch>((resolve) => (answered = resolve));
    const repeat = runInTransaction(dataSource, async () => {
      answered(await assignments.claimFreeUnit('L', rental, { unlessHeldBy: bookingId }));
      await held;
    });
    expect(await answer).toEqual({ kind: 'held' });
    // The other large unit is free for the period and the repeat's transaction holds no lock on it.
    const other = await runInTransaction(dataSource, () => assignments.claimFreeUnit('L', rental));
    expect(other).toMatchObject({ kind: 'found' });
    expect(other.kind === 'found' && other.unitId).not.toBe(unit.id);
    release();
    await repeat;
  });

  it('counts free units per size for a period and prices at the highest rate in service', async () => {
    const [unit] = await units.list({ size: 'L' });
    await assignUnit(unit, period);
    const [large] = await inventory.availability(period, 'L');
    expect(large).toEqual({ size: 'L', totalUnits: 2, freeUnits: 1, dailyRate: 9000 });
    const all = await inventory.availability(RentalPeriod.of('2042-01-01', '2042-01-02'));
    expect(all.map((entry) => [entry.size, entry.freeUnits])).toEqual([
      ['S', 0],
      ['M', 0],
      ['L', 2],
    ]);

    // Free from a day to the end of dates (free for any period from that day): only the units
    // with nothing booked from that day on.
    expect(await freeOnwards('L', '2100-01-01')).toBe(2);
    await assignUnit(unit, RentalPeriod.of('2100-03-01', '2100-03-05'));
    expect(await freeOnwards('L', '2100-01-01')).toBe(1);
    expect(await freeOnwards('L', '2100-03-04')).toBe(1);
    expect(await freeOnwards('L', '2100-03-05')).toBe(2);
  });

  it('keeps a unit under maintenance for rentals starting inside its window, and offers it from its end', async () => {
    const unit = StorageUnit.register({ code: 'M-WINDOW', size: 'M', dailyRate: 5000 });
    await inUnitOfWork(() => units.insert(unit));
    unit.putUnderMaintenance('2044-01-10', '2044-01-01');
    await inUnitOfWork(() => units.save(unit));
    const during = RentalPeriod.of('2044-01-05', '2044-01-12');
    const after = RentalPeriod.of('2044-01-10', '2044-01-15');
    expect((await inventory.availability(during, 'M'))[0]).toMatchObject({ totalUnits: 1, freeUnits: 0 });
    expect((await inventory.availability(after, 'M'))[0]).toMatchObject({ totalUnits: 1, freeUnits: 1 });
    expect([await freeOnwards('M', '2044-01-09'), await freeOnwards('M', '2044-01-10')]).toEqual([0, 1]);
    await expect(runInTransaction(dataSource, () => assignments.claimFreeUnit('M', during))).resolves.toEqual(
      {
        kind: 'none',
      },
    );
    await expect(runInTransaction(dataSource, () => assignments.claimFreeUnit('M', after))).resolves.toEqual({
      kind: 'found',
      unitId: unit.id,
      unitCode: 'M-WINDOW',
    });
    // Open-ended maintenance keeps it out for every period, as before windows existed.
    unit.putUnderMaintenance(null, '2044-01-01');
    await inUnitOfWork(() => units.save(unit));
    expect((await inventory.availability(RentalPeriod.of('2099-01-01', '2099-01-02'), 'M'))[0]).toMatchObject(
      {
        freeUnits: 0,
      },
    );
    const [{ maintenance_until: stored }] = await dataSource.query<{ maintenance_until: string | null }[]>(
      `SELECT maintenance_until FROM storage_unit WHERE code = 'M-WINDOW'`,
    );
    expect(stored).toBeNull();
  });

  it("stores a unit's version and announces it with every change, read back as written", async () => {
    const unit = StorageUnit.register({ code: 'S-VERSIONED', size: 'S', dailyRate: 2000 });
    await inUnitOfWork(() => units.insert(unit));
    await inUnitOfWork(async () => {
      const stored = (await units.findById(unit.id, { lock: true }))!;
      stored.changeStatus('MAINTENANCE');
      await units.save(stored);
    });
    expect((await units.findById(unit.id))?.snapshot().version).toBe(2);
    const announced = await dataSource.query<{ type: string; version: number }[]>(
      `SELECT event_type AS type, (envelope->'payload'->>'unitVersion')::int AS version FROM outbox_message
       WHERE message_key = $1 ORDER BY id`,
      [unit.id],
    );
    expect(announced).toEqual([
      { type: 'StorageUnitRegistered', version: 1 },
      { type: 'StorageUnitChanged', version: 2 },
    ]);
  });

  it('claims nothing outside a transaction', async () => {
    await expect(assignments.claimFreeUnit('L', period)).rejects.toThrow('must run inside a unit of work');
  });

  it('keeps a failure once however often it is reported, and announces every report', async () => {
    const bookingId = randomUUID();
    const report = () => AssignmentFailure.report({ bookingId, size: 'S', reason: 'NO_UNIT_AVAILABLE' });
    await inUnitOfWork(() => assignments.recordFailure(report()));
    await inUnitOfWork(() => assignments.recordFailure(report()));
    const [{ kept }] = await dataSource.query<{ kept: number }[]>(
      `SELECT count(*)::int AS kept FROM assignment_failure WHERE booking_id = $1`,
      [bookingId],
    );
    expect(kept).toBe(1);
    const announced = await dataSource.query<{ event_type: string }[]>(
      `SELECT event_type FROM outbox_message WHERE message_key = $1`,
      [bookingId],
    );
    expect(announced.map((row) => row.event_type)).toEqual([
      'StorageAssignmentFailed',
      'StorageAssignmentFailed',
    ]);
  });

  it('finds a unit free for a period exactly when none of its active assignments overlaps it', async () => {
    const unit = StorageUnit.register({ code: 'S-PROBE', size: 'S', dailyRate: 3000 });
    await inUnitOfWork(() => units.insert(unit));
    const day = (n: number) => new Date(Date.UTC(2200, 0, 1 + n)).toISOString().slice(0, 10);
    const assignDays = (from: number, to: number, bookingId?: string) =>
      assignUnit(unit, RentalPeriod.of(day(from), day(to)), bookingId);
    // Released first: it overlaps every active one below, and frees its days for them.
    const released = randomUUID();
    await assignDays(5, 65, released);
    await dataSource.query(
      `UPDATE assignment SET status = 'RELEASED', release_reason = 'BOOKING_CANCELLED' WHERE booking_id = $1`,
      [released],
    );
    // Active: apart, back to back, long, one day.
    const active: [number, number][] = [
      [10, 20],
      [20, 25],
      [31, 60],
      [70, 71],
    ];
    for (const [from, to] of active) {
      await assignDays(from, to);
    }

    const wrong: string[] = [];
    for (let start = 0; start < 76; start += 1) {
      for (const length of [1, 2, 5, 11, 40, 100]) {
        const end = start + length;
        const taken = active.some(([from, to]) => from < end && to > start);
        const [probe] = await inventory.availability(RentalPeriod.of(day(start), day(end)), 'S');
        if (probe.freeUnits !== (taken ? 0 : 1)) {
          wrong.push(`[${day(start)}, ${day(end)}) counted ${probe.freeUnits} free, taken: ${taken}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The claim reads the same condition.
    await expect(
      runInTransaction(dataSource, () => assignments.claimFreeUnit('S', RentalPeriod.of(day(25), day(31)))),
    ).resolves.toEqual({ kind: 'found', unitId: unit.id, unitCode: 'S-PROBE' });
    await expect(
      runInTransaction(dataSource, () => assignments.claimFreeUnit('S', RentalPeriod.of(day(24), day(26)))),
    ).resolves.toEqual({ kind: 'none' });
    // Free from a day on: nothing active starts or ends after it.
    expect(await freeOnwards('S', day(70))).toBe(0);
    expect(await freeOnwards('S', day(71))).toBe(1);
  });
});

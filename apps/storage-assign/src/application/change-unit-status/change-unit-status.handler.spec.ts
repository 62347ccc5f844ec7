import { todayUtc, type UnitOfWork } from '@storage/ddd';
import {
  IllegalUnitTransitionError,
  InvalidMaintenanceWindowError,
  StorageUnitNotFoundError,
} from '../../domain';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { ChangeUnitStatusCommand } from './change-unit-status.command';
import { ChangeUnitStatusHandler } from './change-unit-status.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };

function setUp() {
  const units = new InMemoryUnits();
  const handler = new ChangeUnitStatusHandler(units, unitOfWork);
  const change = (...args: ConstructorParameters<typeof ChangeUnitStatusCommand>) =>
    handler.execute(new ChangeUnitStatusCommand(...args));
  return { units, change };
}

describe('ChangeUnitStatusHandler', () => {
  it('takes a unit out of rotation for a window and back, each change announced', async () => {
    const { units, change } = setUp();
    const unit = units.add({ code: 'S-001' });
    const until = todayUtc(new Date(Date.now() + 7 * 86_400_000));
    expect(await change(unit, 'MAINTENANCE', until)).toMatchObject({
      status: 'MAINTENANCE',
      maintenanceUntil: until,
    });
    expect(await change(unit, 'AVAILABLE')).toMatchObject({ status: 'AVAILABLE', maintenanceUntil: null });
    expect(units.outbox.map((event) => [event.type, event.unit.status])).toEqual([
      ['StorageUnitChanged', 'MAINTENANCE'],
      ['StorageUnitChanged', 'AVAILABLE'],
    ]);
    expect(units.locks).toEqual([`unit ${unit}`, `unit ${unit}`]);
  });

  it('answers a repeat with the unit as it is, writing nothing', async () => {
    const { units, change } = setUp();
    const unit = units.add({ code: 'S-001' }, 'MAINTENANCE');
    expect(await change(unit, 'MAINTENANCE')).toMatchObject({
      status: 'MAINTENANCE',
      maintenanceUntil: null,
    });
    expect(units.writes).toBe(0);
    expect(units.outbox).toEqual([]);
  });

  it('refuses what the unit cannot do with the rule that forbids it, and a unit that does not exist', async () => {
    const { units, change } = setUp();
    const retired = units.add({ code: 'S-001' }, 'RETIRED');
    const available = units.add({ code: 'S-002' });
    await expect(change(retired, 'AVAILABLE')).rejects.toThrow(IllegalUnitTransitionError);
    await expect(change(available, 'MAINTENANCE', todayUtc())).rejects.toThrow(InvalidMaintenanceWindowError);
    await expect(change('no-such-unit', 'AVAILABLE')).rejects.toThrow(StorageUnitNotFoundError);
    expect(units.writes).toBe(0);
    expect(units.rows.get(available)?.status).toBe('AVAILABLE');
  });
});

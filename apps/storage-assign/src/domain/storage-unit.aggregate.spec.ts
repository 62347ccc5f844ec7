import { RentalPeriod } from '@storage/ddd';
import { Assignment } from './assignment.aggregate';
import { defaultInventory } from './default-inventory';
import { StorageUnit } from './storage-unit.aggregate';
import { IllegalUnitTransitionError, InvalidMaintenanceWindowError } from './storage.errors';

describe('StorageUnit', () => {
  const unit = () => StorageUnit.register({ code: 'S-001', size: 'S', dailyRate: 3000 });

  it('goes to maintenance and back', () => {
    const subject = unit();
    expect(subject.changeStatus('MAINTENANCE')).toBe(true);
    expect(subject.changeStatus('MAINTENANCE')).toBe(false);
    expect(subject.changeStatus('AVAILABLE')).toBe(true);
    expect(subject.pullEvents().map((event) => event.type)).toEqual([
      'StorageUnitRegistered',
      'StorageUnitChanged',
      'StorageUnitChanged',
    ]);
  });

  it('counts its versions: 1 when registered, one more with every change announced, none without', () => {
    const subject = unit();
    subject.changeStatus('MAINTENANCE');
    subject.changeStatus('MAINTENANCE');
    subject.putUnderMaintenance('2040-02-01', '2040-01-01');
    subject.putUnderMaintenance('2040-02-01', '2040-01-01');
    subject.awaitInspection();
    subject.changeStatus('AVAILABLE');
    subject.awaitInspection();
    expect(subject.pullEvents().map((event) => [event.type, event.unit.version, event.unit.status])).toEqual([
      ['StorageUnitRegistered', 1, 'AVAILABLE'],
      ['StorageUnitChanged', 2, 'MAINTENANCE'],
      ['StorageUnitChanged', 3, 'MAINTENANCE'],
      ['StorageUnitChanged', 4, 'AVAILABLE'],
      ['StorageUnitChanged', 5, 'INSPECTION'],
    ]);
    expect(StorageUnit.restore(subject.snapshot()).snapshot().version).toBe(5);
  });

  it('takes a maintenance window: out of rotation for rentals starting before its end, back from it', () => {
    const subject = unit();
    subject.pullEvents();
    expect(subject.putUnderMaintenance('2030-01-08', '2030-01-01')).toBe(true);
    expect(subject.snapshot()).toMatchObject({ status: 'MAINTENANCE', maintenanceUntil: '2030-01-08' });
    expect(subject.pullEvents().map((event) => event.type)).toEqual(['StorageUnitChanged']);
    expect(subject.inServiceFrom('2030-01-07')).toBe(false);
    expect(subject.inServiceFrom('2030-01-08')).toBe(true);
    // Moving the window is a change; setting the same one again is not.
    expect(subject.putUnderMaintenance('2030-01-08', '2030-01-01')).toBe(false);
    expect(subject.putUnderMaintenance('2030-02-01', '2030-01-01')).toBe(true);
    // Back in service: the window is gone with it.
    expect(subject.changeStatus('AVAILABLE')).toBe(true);
    expect(subject.snapshot()).toMatchObject({ status: 'AVAILABLE', maintenanceUntil: null });
  });

  it('refuses a window that does not end after today, and keeps open-ended maintenance open', () => {
    const subject = unit();
    expect(() => subject.putUnderMaintenance('2030-01-01', '2030-01-01')).toThrow(
      InvalidMaintenanceWindowError,
    );
    expect(subject.putUnderMaintenance(null, '2030-01-01')).toBe(true);
    expect(subject.inServiceFrom('2999-01-01')).toBe(false);
    const retired = unit();
    retired.changeStatus('RETIRED');
    expect(() => retired.putUnderMaintenance('2030-02-01', '2030-01-01')).toThrow(IllegalUnitTransitionError);
  });

  it('waits for inspection after a rental unless staff took it out of service', () => {
    const available = unit();
    expect(available.awaitInspection()).toBe(true);
    expect(available.status).toBe('INSPECTION');
    const maintained = unit();
    maintained.changeStatus('MAINTENANCE');
    expect(maintained.awaitInspection()).toBe(false);
    expect(maintained.status).toBe('MAINTENANCE');
  });

  it('stays retired', () => {
    const subject = unit();
    subject.changeStatus('RETIRED');
    expect(() => subject.changeStatus('AVAILABLE')).toThrow(IllegalUnitTransitionError);
  });

  it('seeds 20 units over three sizes with unique codes', () => {
    const inventory = defaultInventory();
    expect(inventory).toHaveLength(20);
    expect(new Set(inventory.map((entry) => entry.code)).size).toBe(20);
    expect(new Set(inventory.map((entry) => entry.size))).toEqual(new Set(['S', 'M', 'L']));
  });
});

describe('Assignment', () => {
  const period = RentalPeriod.of('2030-01-01', '2030-02-01');
  const assignment = () =>
    Assignment.assign({ bookingId: 'b-1', unitId: 'u-1', unitCode: 'S-001', size: 'S', period });

  it('releases once and then changes nothing', () => {
    const subject = assignment();
    expect(subject.release('CUSTOMER_REQUEST')).toBe(true);
    expect(subject.release('CUSTOMER_REQUEST')).toBe(false);
    expect(subject.complete()).toBe(false);
    expect(subject.pullEvents().map((event) => event.type)).toEqual(['StorageAssigned', 'StorageReleased']);
  });

  it('is revoked with an event, superseded without one', () => {
    const revoked = assignment();
    revoked.pullEvents();
    revoked.revoke('UNIT_RETIRED');
    expect(revoked.pullEvents().map((event) => event.type)).toEqual(['StorageAssignmentRevoked']);
    const superseded = assignment();
    superseded.pullEvents();
    expect(superseded.supersede()).toBe(true);
    expect(superseded.snapshot().status).toBe('RELEASED');
    expect(superseded.pullEvents()).toEqual([]);
  });
});

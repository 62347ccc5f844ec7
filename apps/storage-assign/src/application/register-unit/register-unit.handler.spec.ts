import type { UnitOfWork } from '@storage/ddd';
import { DuplicateUnitCodeError } from '../../domain';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { RegisterUnitCommand } from './register-unit.command';
import { RegisterUnitHandler } from './register-unit.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };

describe('RegisterUnitHandler', () => {
  it('registers an available unit with its StorageUnitRegistered; a taken code is a 409', async () => {
    const units = new InMemoryUnits();
    const handler = new RegisterUnitHandler(units, unitOfWork);
    const unit = await handler.execute(new RegisterUnitCommand('L-100', 'L', 12_000));
    expect(unit).toMatchObject({ code: 'L-100', size: 'L', dailyRate: 12_000, status: 'AVAILABLE' });
    expect(units.rows.get(unit.id)).toEqual(unit);
    expect(units.outbox).toEqual([{ type: 'StorageUnitRegistered', unit }]);
    const again = handler.execute(new RegisterUnitCommand('L-100', 'S', 3_000));
    await expect(again).rejects.toThrow(DuplicateUnitCodeError);
    await expect(again).rejects.toMatchObject({ status: 409, code: 'STORAGE_UNIT_CODE_TAKEN' });
    expect(units.rows.size).toBe(1);
  });
});

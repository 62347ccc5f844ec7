import { Injectable } from '@nestjs/common';
import { RentalPeriod } from '@storage/ddd';
import {
  StorageUnitNotFoundError,
  type StorageUnitSnapshot,
  type UnitSize,
  type UnitStatus,
} from '../../domain';
import { AvailabilityReader, type SizeAvailability } from '../ports/availability-reader.port';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';

export interface AvailabilityView {
  from: string;
  to: string;
  days: number;
  sizes: (SizeAvailability & { price: number | null })[];
}

@Injectable()
export class QueryUnitsHandler {
  constructor(
    private readonly units: StorageUnitRepository,
    private readonly availabilityReader: AvailabilityReader,
  ) {}

  async list(filter: { size?: UnitSize; status?: UnitStatus }): Promise<StorageUnitSnapshot[]> {
    return (await this.units.list(filter)).map((unit) => unit.snapshot());
  }

  async byId(unitId: string): Promise<StorageUnitSnapshot> {
    const unit = await this.units.findById(unitId);
    if (!unit) {
      throw new StorageUnitNotFoundError(unitId);
    }
    return unit.snapshot();
  }

  /** Free units and price per size for a period: what a customer sees before booking. */
  async availability(from: string, to: string, size?: UnitSize): Promise<AvailabilityView> {
    const period = RentalPeriod.of(from, to);
    const sizes = await this.availabilityReader.availability(period, size);
    return {
      from,
      to,
      days: period.days,
      sizes: sizes.map((entry) => ({
        ...entry,
        price: entry.dailyRate === null ? null : entry.dailyRate * period.days,
      })),
    };
  }
}

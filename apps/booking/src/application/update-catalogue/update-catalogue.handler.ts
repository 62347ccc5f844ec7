import { Injectable } from '@nestjs/common';
import { Catalogue, type CatalogueUnit } from '../ports/catalogue.port';

/** StorageUnitRegistered / StorageUnitChanged -> booking's price catalogue. */
@Injectable()
export class UpdateCatalogueHandler {
  constructor(private readonly catalogue: Catalogue) {}

  execute(unit: CatalogueUnit): Promise<void> {
    return this.catalogue.upsert(unit);
  }
}

import { Injectable } from '@nestjs/common';
import { Catalogue } from '../ports/catalogue.port';
import type { UpdateCatalogueCommand } from './update-catalogue.command';

/** StorageUnitRegistered / StorageUnitChanged -> booking's price catalogue. */
@Injectable()
export class UpdateCatalogueHandler {
  constructor(private readonly catalogue: Catalogue) {}

  execute({ unit }: UpdateCatalogueCommand): Promise<void> {
    return this.catalogue.upsert(unit);
  }
}

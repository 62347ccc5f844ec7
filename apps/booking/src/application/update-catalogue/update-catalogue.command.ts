import type { CatalogueUnit } from '../ports/catalogue.port';

/** A unit as storage-assign announced it: what booking may price and offer. */
export class UpdateCatalogueCommand {
  constructor(readonly unit: CatalogueUnit) {}
}

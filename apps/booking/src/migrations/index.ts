import { CreateBooking1763700000300 } from './1763700000300-create-booking';
import { BookingStalledIndex1764600000300 } from './1764600000300-booking-stalled-index';
import { CatalogueChangedAt1765200000300 } from './1765200000300-catalogue-changed-at';
import { CatalogueUnitVersion1765300000300 } from './1765300000300-catalogue-unit-version';

/** booking's schema, in order (the messaging tables' migrations run before these). */
export const BOOKING_MIGRATIONS = [
  CreateBooking1763700000300,
  BookingStalledIndex1764600000300,
  CatalogueChangedAt1765200000300,
  CatalogueUnitVersion1765300000300,
];

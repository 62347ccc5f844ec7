import {
  Booking,
  type BookingStatus,
  type CancellationReason,
  type RejectionReason,
  type UnitSize,
} from '../../../domain';
import { BookingOrmEntity } from './booking.orm-entity';

export const BookingMapper = {
  toDomain(row: BookingOrmEntity): Booking {
    return Booking.restore({
      ...row,
      size: row.size as UnitSize,
      status: row.status as BookingStatus,
      rejectionReason: row.rejectionReason as RejectionReason | null,
      cancellationReason: row.cancellationReason as CancellationReason | null,
    });
  },
  toOrm(booking: Booking): BookingOrmEntity {
    return Object.assign(new BookingOrmEntity(), booking.snapshot());
  },
};

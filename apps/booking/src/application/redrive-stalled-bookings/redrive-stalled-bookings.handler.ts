import { Injectable, Logger } from '@nestjs/common';
import { todayUtc, UnitOfWork } from '@storage/ddd';
import { BookingRepository } from '../ports/booking.repository.port';
import type { RedriveStalledBookingsCommand } from './redrive-stalled-bookings.command';

/**
 * Self-healing of the saga's asynchronous half: a PAID booking that heard nothing from
 * storage-assign for `afterMs` is announced again (BookingPlaced, a new event), or rejected and
 * refunded once its start date has come. Every replica may run it: locked rows are skipped, and
 * a re-driven booking waits another `afterMs` before the next try.
 */
@Injectable()
export class RedriveStalledBookingsHandler {
  private readonly logger = new Logger(RedriveStalledBookingsHandler.name);

  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute({ afterMs, now }: RedriveStalledBookingsCommand): Promise<number> {
    return this.unitOfWork.run(async () => {
      const stalled = await this.bookings.lockStalledPaid(new Date(now.getTime() - afterMs), 100);
      let repaired = 0;
      for (const booking of stalled) {
        const outcome = booking.redriveOrExpire(todayUtc(now), now);
        if (outcome === 'unchanged') {
          continue;
        }
        await this.bookings.save(booking);
        repaired += 1;
        this.logger.warn({
          msg:
            outcome === 'redriven'
              ? 'Re-announced a paid booking that got no assignment outcome'
              : 'Rejected a paid booking whose start date came without a unit',
          bookingId: booking.id,
        });
      }
      return repaired;
    });
  }
}

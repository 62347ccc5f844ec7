import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { AVAILABILITY_PATH, type AvailabilityQueryV1, type AvailabilityV1 } from '@storage/contracts';
import { todayUtc, type RentalPeriod } from '@storage/ddd';
import type { ResiliencePolicy } from '@storage/resilience';
import { internalCallHeaders } from '@storage/data-service';
import type { UnitSize } from '../../../domain';
import { Availability } from '../../../application/ports/availability.port';

export interface AvailabilityClientOptions {
  baseUrl: string;
  internalSecret?: string;
  policy: ResiliencePolicy;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

/** No period ends later: dates are YYYY-MM-DD. */
const END_OF_DATES = '9999-12-31';

/** How long a size's count of units free from today on is drawn from before it is asked again. */
const OPEN_UNITS_REUSED_MS = 1000;

/** Units of one size free from `from` on, as storage-assign counted them, less those since given out. */
interface OpenUnits {
  from: string;
  counted: number;
  remaining: number;
  readAt: number;
}

/**
 * A quick, optional look at storage-assign before charging: "none free" spares the customer a
 * charge and a refund. Any failure means "don't know" and the booking goes ahead: bookings are
 * accepted 24/7 and assignment decides later.
 *
 * A unit with nothing booked from today on is free for every period a booking can ask for, so
 * storage-assign is asked per size, at most about once a second, how many such units there are,
 * and each booking's look takes one of them: while any is left no call is made for the booking's
 * own period (that call was about a tenth of a booking's CPU across booking, storage-assign and
 * Postgres). Only when none is left, or the period starts before the count's day, is its own
 * period asked for. Taking one per look counts this replica's bookings against the count; claims
 * of bookings still in flight when it was counted, and other replicas' looks of the same second,
 * are not: the pre-check's own race (between the look and the claim) stretched by at most
 * OPEN_UNITS_REUSED_MS. Assignment decides, and refunds.
 */
@Injectable()
export class AvailabilityHttpClient extends Availability {
  private readonly logger = new Logger(AvailabilityHttpClient.name);
  private readonly open = new Map<UnitSize, OpenUnits>();
  /** One count in flight per size, shared by the bookings that wait for it. */
  private readonly counting = new Map<UnitSize, Promise<OpenUnits | null>>();
  private readonly now: () => number;

  constructor(
    private readonly http: HttpService,
    private readonly options: AvailabilityClientOptions,
  ) {
    super();
    this.now = options.now ?? Date.now;
  }

  async freeUnits(size: UnitSize, period: RentalPeriod): Promise<number | null> {
    const open = await this.openUnits(size);
    if (open === null) {
      // storage-assign did not answer: asking again for the period would only wait as long again.
      return null;
    }
    if (open.remaining > 0 && period.startDate >= open.from) {
      open.remaining -= 1;
      return open.remaining + 1;
    }
    return this.ask(size, period.startDate, period.endDate);
  }

  private openUnits(size: UnitSize): Promise<OpenUnits | null> {
    const known = this.open.get(size);
    const fresh = known !== undefined && this.now() - known.readAt < OPEN_UNITS_REUSED_MS;
    // Counted none: each booking asks for its period until the count is stale. Counted some and
    // all given out: count again now, as likely as not some are still free.
    if (known && fresh && (known.remaining > 0 || known.counted === 0)) {
      return Promise.resolve(known);
    }
    let counting = this.counting.get(size);
    if (!counting) {
      counting = this.count(size).finally(() => this.counting.delete(size));
      this.counting.set(size, counting);
    }
    return counting;
  }

  private async count(size: UnitSize): Promise<OpenUnits | null> {
    const from = todayUtc(new Date(this.now()));
    const counted = await this.ask(size, from, END_OF_DATES);
    if (counted === null) {
      return null;
    }
    const open = { from, counted, remaining: counted, readAt: this.now() };
    this.open.set(size, open);
    return open;
  }

  private async ask(size: UnitSize, from: string, to: string): Promise<number | null> {
    try {
      // axiosRef, not HttpService's observable (see ServiceHttpModule).
      const response = await this.options.policy.execute((signal) =>
        this.http.axiosRef.get<AvailabilityV1>(`${this.options.baseUrl}${AVAILABILITY_PATH}`, {
          params: { size, from, to } satisfies AvailabilityQueryV1,
          signal,
          headers: internalCallHeaders(this.options.internalSecret),
        }),
      );
      return response.data.sizes.find((entry) => entry.size === size)?.freeUnits ?? null;
    } catch (error) {
      this.logger.warn({ msg: 'Availability unknown; booking proceeds', err: String(error) });
      return null;
    }
  }
}

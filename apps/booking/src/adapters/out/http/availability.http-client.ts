import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { AVAILABILITY_PATH, type AvailabilityQueryV1, type AvailabilityV1 } from '@storage/contracts';
import type { RentalPeriod } from '@storage/ddd';
import type { ResiliencePolicy } from '@storage/resilience';
import { internalCallHeaders } from '@storage/service-kit';
import type { UnitSize } from '../../../domain';
import { Availability } from '../../../application/ports/availability.port';

export interface AvailabilityClientOptions {
  baseUrl: string;
  internalSecret?: string;
  policy: ResiliencePolicy;
}

/**
 * A quick, optional look at storage-assign before charging: "none free" spares the customer a
 * charge and a refund. Any failure means "don't know" and the booking goes ahead: bookings are
 * accepted 24/7 and assignment decides later.
 */
@Injectable()
export class AvailabilityHttpClient extends Availability {
  private readonly logger = new Logger(AvailabilityHttpClient.name);

  constructor(
    private readonly http: HttpService,
    private readonly options: AvailabilityClientOptions,
  ) {
    super();
  }

  async freeUnits(size: UnitSize, period: RentalPeriod): Promise<number | null> {
    try {
      // axiosRef, not HttpService's observable (see ServiceHttpModule).
      const response = await this.options.policy.execute((signal) =>
        this.http.axiosRef.get<AvailabilityV1>(`${this.options.baseUrl}${AVAILABILITY_PATH}`, {
          params: { size, from: period.startDate, to: period.endDate } satisfies AvailabilityQueryV1,
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

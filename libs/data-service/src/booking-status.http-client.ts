import { HttpService } from '@nestjs/axios';
import type { FactoryProvider } from '@nestjs/common';
import { isAxiosError } from 'axios';
import {
  bookingPath,
  BOOKING_STATUSES,
  type BookingStatusName,
  type BookingStatusV1,
} from '@storage/contracts';
import { internalCallHeaders } from './internal-call-headers';

/**
 * Asks booking, the saga's source of truth, where a booking stands: the reconciliation jobs of
 * payment and storage-assign use it to repair what a lost or failed event left behind. `null`
 * when booking does not know the id; any other failure throws (the job tries again next run).
 */
export class BookingStatusHttpClient {
  constructor(
    private readonly http: HttpService,
    private readonly options: { baseUrl: string; internalSecret?: string; timeoutMs: number },
  ) {}

  async statusOf(bookingId: string): Promise<BookingStatusName | null> {
    try {
      // axiosRef, not HttpService's observable (see ServiceHttpModule).
      const response = await this.http.axiosRef.get<BookingStatusV1>(
        `${this.options.baseUrl}${bookingPath(bookingId)}`,
        { headers: internalCallHeaders(this.options.internalSecret), timeout: this.options.timeoutMs },
      );
      const status = response.data.status;
      if (!BOOKING_STATUSES.includes(status)) {
        throw new Error(`booking answered an unknown status ${String(status)}`);
      }
      return status;
    } catch (error) {
      if (isAxiosError(error) && error.response?.status === 404) {
        return null;
      }
      throw error;
    }
  }
}

/** The provider of a service's booking-status port (its abstract class) for the reconciliation. */
export function bookingStatusesProvider(
  port: abstract new () => unknown,
  options: { baseUrl: string; internalSecret?: string },
): FactoryProvider {
  return {
    provide: port,
    useFactory: (http: HttpService) => new BookingStatusHttpClient(http, { ...options, timeoutMs: 3000 }),
    inject: [HttpService],
  };
}

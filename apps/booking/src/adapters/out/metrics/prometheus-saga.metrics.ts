import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BOOKING_STATUSES } from '@storage/contracts';
import { gauge, histogram, LATENCY_BUCKETS_SECONDS, readWithin } from '@storage/observability';
import { SagaMetrics } from '../../../application/ports/saga-metrics.port';
import type { BookingStatus } from '../../../domain';

const sagaDuration = histogram<'outcome'>({
  name: 'booking_saga_duration_seconds',
  help: 'From BookingPlaced (payment approved) to CONFIRMED or REJECTED (no unit)',
  labelNames: ['outcome'],
  buckets: LATENCY_BUCKETS_SECONDS,
});

let database: DataSource | undefined;

gauge<'status'>({
  name: 'booking_bookings',
  help: 'Bookings by status, counted when scraped (PAID and PAYMENT_PENDING are sagas in flight)',
  labelNames: ['status'],
  async collect() {
    const source = database;
    const rows = source
      ? await readWithin(() =>
          source.query<{ status: BookingStatus; count: number }[]>(
            'SELECT status, count(*)::int AS count FROM booking GROUP BY status',
          ),
        )
      : undefined;
    for (const status of BOOKING_STATUSES) {
      const count = rows ? (rows.find((row) => row.status === status)?.count ?? 0) : Number.NaN;
      this.set({ status }, count);
    }
  },
});

/** The saga's timings and the bookings by status, as Prometheus series. */
@Injectable()
export class PrometheusSagaMetrics extends SagaMetrics {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    database = dataSource;
  }

  settled(outcome: 'confirmed' | 'rejected', placedAt: Date): void {
    sagaDuration.observe({ outcome }, Math.max(0, Date.now() - placedAt.getTime()) / 1000);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LessThan, type DataSource } from 'typeorm';
import { Outbox } from '@storage/messaging';
import { currentManager, insertOrGetExisting, lockedIf, transactionManager } from '@storage/persistence';
import type { Booking, BookingSnapshot, BookingStatus } from '../../../domain';
import { BookingRepository, type BookingFilter } from '../../../application/ports/booking.repository.port';
import { toIntegrationEvent } from './booking-events.mapper';
import { BookingMapper } from './booking.mapper';
import { BookingOrmEntity } from './booking.orm-entity';

@Injectable()
export class BookingTypeormRepository extends BookingRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async findById(id: string, options?: { lock: boolean }): Promise<Booking | null> {
    const row = await currentManager(this.dataSource).findOne(BookingOrmEntity, {
      where: { id },
      ...lockedIf(options?.lock),
    });
    return row ? BookingMapper.toDomain(row) : null;
  }

  async findByIdempotencyKey(customerId: string, key: string): Promise<Booking | null> {
    const row = await currentManager(this.dataSource).findOneBy(BookingOrmEntity, {
      customerId,
      idempotencyKey: key,
    });
    return row ? BookingMapper.toDomain(row) : null;
  }

  async list(filter: BookingFilter): Promise<Booking[]> {
    const rows = await currentManager(this.dataSource).find(BookingOrmEntity, {
      where: {
        ...(filter.customerId ? { customerId: filter.customerId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      order: { createdAt: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return rows.map((row) => BookingMapper.toDomain(row));
  }

  async insert(booking: Booking): Promise<{ booking: Booking; inserted: boolean }> {
    const events = booking.pullEvents().map(toIntegrationEvent);
    const { customerId, idempotencyKey } = booking.snapshot();
    // The unique key is (customer_id, idempotency_key): two racing requests with one key get one booking.
    const { row, inserted } = await insertOrGetExisting({
      dataSource: this.dataSource,
      target: BookingOrmEntity,
      row: BookingMapper.toOrm(booking),
      // Only a booking with a key can conflict: its key is never null here.
      existing: { customerId, idempotencyKey: idempotencyKey! },
      events: { count: events.length, append: (manager) => this.outbox.appendAll(manager, events) },
    });
    return { booking: inserted ? booking : BookingMapper.toDomain(row), inserted };
  }

  async save(booking: Booking): Promise<void> {
    await this.outbox.update(
      transactionManager('Saving a booking'),
      BookingOrmEntity,
      BookingMapper.toOrm(booking),
      booking.pullEvents().map(toIntegrationEvent),
    );
  }

  saveIfUnchanged(booking: Booking, seen: Pick<BookingSnapshot, 'status' | 'updatedAt'>): Promise<boolean> {
    return this.outbox.updateIfUnchanged(
      currentManager(this.dataSource),
      BookingOrmEntity,
      BookingMapper.toOrm(booking),
      { status: seen.status, updatedAt: seen.updatedAt },
      booking.pullEvents().map(toIntegrationEvent),
    );
  }

  lockStalePaymentPending(before: Date, limit: number): Promise<Booking[]> {
    return this.lockOldest('PAYMENT_PENDING', 'createdAt', before, limit);
  }

  lockStalledPaid(before: Date, limit: number): Promise<Booking[]> {
    return this.lockOldest('PAID', 'updatedAt', before, limit);
  }

  /** The oldest bookings in `status` by `since`, locked; rows another replica holds are skipped. */
  private async lockOldest(
    status: BookingStatus,
    since: 'createdAt' | 'updatedAt',
    before: Date,
    limit: number,
  ): Promise<Booking[]> {
    const rows = await transactionManager(`Locking ${status} bookings`).find(BookingOrmEntity, {
      where: { status, [since]: LessThan(before) },
      order: { [since]: 'ASC' },
      take: limit,
      lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
    });
    return rows.map((row) => BookingMapper.toDomain(row));
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LessThan, type DataSource } from 'typeorm';
import { Outbox } from '@storage/messaging';
import {
  currentManager,
  findUnreconciled,
  insertOrGetExisting,
  lockedIf,
  markReconcileOutcome,
  transactionManager,
} from '@storage/persistence';
import type { Payment, PaymentStatus } from '../../../domain';
import { PaymentRepository, type PaymentFilter } from '../../../application/ports/payment.repository.port';
import { toIntegrationEvent } from './payment-events.mapper';
import { PaymentMapper } from './payment.mapper';
import { PaymentOrmEntity } from './payment.orm-entity';

@Injectable()
export class PaymentTypeormRepository extends PaymentRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async findById(id: string): Promise<Payment | null> {
    const row = await currentManager(this.dataSource).findOneBy(PaymentOrmEntity, { id });
    return row ? PaymentMapper.toDomain(row) : null;
  }

  async findByBookingId(bookingId: string, options?: { lock: boolean }): Promise<Payment | null> {
    const row = await currentManager(this.dataSource).findOne(PaymentOrmEntity, {
      where: { bookingId },
      ...lockedIf(options?.lock),
    });
    return row ? PaymentMapper.toDomain(row) : null;
  }

  async list(filter: PaymentFilter): Promise<Payment[]> {
    const rows = await currentManager(this.dataSource).find(PaymentOrmEntity, {
      where: {
        ...(filter.bookingId ? { bookingId: filter.bookingId } : {}),
        ...(filter.customerId ? { customerId: filter.customerId } : {}),
      },
      order: { createdAt: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return rows.map((row) => PaymentMapper.toDomain(row));
  }

  async insertOrGetExisting(payment: Payment): Promise<{ payment: Payment; inserted: boolean }> {
    const events = payment.pullEvents().map(toIntegrationEvent);
    const { row, inserted } = await insertOrGetExisting({
      dataSource: this.dataSource,
      target: PaymentOrmEntity,
      row: PaymentMapper.toOrm(payment),
      existing: { bookingId: payment.bookingId },
      events: { count: events.length, append: (manager) => this.outbox.appendAll(manager, events) },
    });
    return { payment: inserted ? payment : PaymentMapper.toDomain(row), inserted };
  }

  saveIfUnchanged(payment: Payment, seen: { status: PaymentStatus }): Promise<boolean> {
    return this.outbox.updateIfUnchanged(
      currentManager(this.dataSource),
      PaymentOrmEntity,
      PaymentMapper.toOrm(payment),
      { status: seen.status },
      payment.pullEvents().map(toIntegrationEvent),
    );
  }

  async save(payment: Payment): Promise<void> {
    await this.outbox.update(
      transactionManager('Saving a payment'),
      PaymentOrmEntity,
      PaymentMapper.toOrm(payment),
      payment.pullEvents().map(toIntegrationEvent),
    );
  }

  async findPendingCreatedBefore(before: Date, limit: number): Promise<Payment[]> {
    const rows = await currentManager(this.dataSource).find(PaymentOrmEntity, {
      where: { status: 'PENDING', createdAt: LessThan(before) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => PaymentMapper.toDomain(row));
  }

  async findUnreconciledApprovedBefore(before: Date, limit: number): Promise<Payment[]> {
    const rows = await findUnreconciled(
      currentManager(this.dataSource),
      PaymentOrmEntity,
      "r.status = 'APPROVED'",
      before,
      limit,
    );
    return rows.map((row) => PaymentMapper.toDomain(row));
  }

  async markReconciled(bookingId: string, outcome: 'kept' | 'open'): Promise<void> {
    await markReconcileOutcome(currentManager(this.dataSource), PaymentOrmEntity, { bookingId }, outcome);
  }
}

import { Payment, type PaymentStatus } from '../../../domain';
import { PaymentOrmEntity } from './payment.orm-entity';

export const PaymentMapper = {
  toDomain(row: PaymentOrmEntity): Payment {
    return Payment.restore({
      id: row.id,
      bookingId: row.bookingId,
      customerId: row.customerId,
      amount: Number(row.amount),
      method: row.method,
      status: row.status as PaymentStatus,
      declineReason: row.declineReason,
      refundReason: row.refundReason,
      createdAt: row.createdAt,
      refundedAt: row.refundedAt,
    });
  },

  toOrm(payment: Payment): PaymentOrmEntity {
    return Object.assign(new PaymentOrmEntity(), payment.snapshot());
  },
};

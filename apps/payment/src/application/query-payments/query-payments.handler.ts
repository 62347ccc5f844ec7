import { Injectable } from '@nestjs/common';
import { canSee, customerScope, type Actor } from '@storage/ddd';
import { PaymentNotFoundError, type PaymentSnapshot } from '../../domain';
import { PaymentRepository, type PaymentFilter } from '../ports/payment.repository.port';

@Injectable()
export class QueryPaymentsHandler {
  constructor(private readonly payments: PaymentRepository) {}

  async byId(paymentId: string, actor: Actor): Promise<PaymentSnapshot> {
    const payment = await this.payments.findById(paymentId);
    // Another customer's payment is indistinguishable from a missing one.
    if (!payment || !canSee(actor, payment.snapshot().customerId)) {
      throw new PaymentNotFoundError(paymentId);
    }
    return payment.snapshot();
  }

  async list(filter: PaymentFilter, actor: Actor): Promise<PaymentSnapshot[]> {
    return (await this.payments.list({ ...filter, customerId: customerScope(actor, filter.customerId) })).map(
      (payment) => payment.snapshot(),
    );
  }
}

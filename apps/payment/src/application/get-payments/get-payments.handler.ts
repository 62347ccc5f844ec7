import { Injectable } from '@nestjs/common';
import { PaymentNotFoundError, type PaymentSnapshot } from '../../domain';
import { PaymentRepository, type PaymentFilter } from '../ports/payment.repository.port';

@Injectable()
export class GetPaymentsHandler {
  constructor(private readonly payments: PaymentRepository) {}

  /** `customerId` set: only that customer's payment is visible (another's is "not found"). */
  async byId(paymentId: string, customerId?: string): Promise<PaymentSnapshot> {
    const payment = await this.payments.findById(paymentId);
    if (!payment || (customerId !== undefined && payment.snapshot().customerId !== customerId)) {
      throw new PaymentNotFoundError(paymentId);
    }
    return payment.snapshot();
  }

  async list(filter: PaymentFilter): Promise<PaymentSnapshot[]> {
    return (await this.payments.list(filter)).map((payment) => payment.snapshot());
  }
}

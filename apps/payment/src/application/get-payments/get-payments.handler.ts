import { Injectable } from '@nestjs/common';
import { PaymentNotFoundError, type PaymentSnapshot } from '../../domain';
import { PaymentRepository, type PaymentFilter } from '../ports/payment.repository.port';

@Injectable()
export class GetPaymentsHandler {
  constructor(private readonly payments: PaymentRepository) {}

  async byId(paymentId: string): Promise<PaymentSnapshot> {
    const payment = await this.payments.findById(paymentId);
    if (!payment) {
      throw new PaymentNotFoundError(paymentId);
    }
    return payment.snapshot();
  }

  async list(filter: PaymentFilter): Promise<PaymentSnapshot[]> {
    return (await this.payments.list(filter)).map((payment) => payment.snapshot());
  }
}

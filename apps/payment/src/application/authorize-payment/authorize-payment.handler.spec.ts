import { Payment, PaymentProviderUnavailableError } from '../../domain';
import { PaymentProvider, type ChargeDecision, type ChargeRequest } from '../ports/payment-provider.port';
import { InMemoryPayments } from '../ports/payment.repository.fake';
import { RecoverPaymentIntentsHandler } from '../recover-payment-intents/recover-payment-intents.handler';
import { AuthorizePaymentCommand } from './authorize-payment.command';
import { AuthorizePaymentHandler } from './authorize-payment.handler';
import { RecoverPaymentIntentsCommand } from '../recover-payment-intents/recover-payment-intents.command';

/** A processor that honours idempotency keys and can die right after charging. */
class LedgerProvider extends PaymentProvider {
  readonly charges = new Map<string, ChargeDecision>();
  crashAfterCharge = false;
  unavailable = false;
  calls = 0;

  charge(request: ChargeRequest): Promise<ChargeDecision> {
    this.calls += 1;
    if (this.unavailable) {
      return Promise.reject(new PaymentProviderUnavailableError('down'));
    }
    const decision = this.charges.get(request.idempotencyKey) ?? { approved: true };
    this.charges.set(request.idempotencyKey, decision);
    if (this.crashAfterCharge) {
      this.crashAfterCharge = false;
      return Promise.reject(new Error('process died after the charge'));
    }
    return Promise.resolve(decision);
  }

  lookup(key: string): Promise<ChargeDecision | undefined> {
    return Promise.resolve(this.charges.get(key));
  }
}

const unitOfWork = { run: <T>(work: () => Promise<T>) => work() };
const command = new AuthorizePaymentCommand('b-1', 'c-1', 30_000, 'card');

describe('AuthorizePaymentHandler (intent, charge, outcome)', () => {
  let payments: InMemoryPayments;
  let provider: LedgerProvider;
  let handler: AuthorizePaymentHandler;

  beforeEach(() => {
    payments = new InMemoryPayments();
    provider = new LedgerProvider();
    handler = new AuthorizePaymentHandler(payments, provider, unitOfWork);
  });

  it('records the intent before the provider is asked, then the outcome', async () => {
    let seenBeforeCharge: string | undefined;
    const charge = provider.charge.bind(provider);
    provider.charge = (request) => {
      seenBeforeCharge = payments.rows.get(request.bookingId)?.status;
      return charge(request);
    };
    const { payment, created } = await handler.execute(command);
    expect(seenBeforeCharge).toBe('PENDING');
    expect(created).toBe(true);
    expect(payment.status).toBe('APPROVED');
  });

  it('gives the money straight back when the booking voided the intent while the charge was in flight', async () => {
    const charge = provider.charge.bind(provider);
    provider.charge = async (request) => {
      const decision = await charge(request);
      // The booking gave up meanwhile (its refund handler voids a PENDING intent).
      const voided = Payment.restore(payments.rows.get(request.bookingId)!.snapshot());
      voided.voidPending('BOOKING_CANCELLED');
      payments.rows.set(request.bookingId, voided);
      return decision;
    };
    const { payment } = await handler.execute(command);
    expect(payment.status).toBe('REFUNDED');
    expect(payments.rows.get('b-1')?.status).toBe('REFUNDED');
  });

  it('loses no charge when the process dies between charge and outcome: a retry resumes under the same key', async () => {
    provider.crashAfterCharge = true;
    await expect(handler.execute(command)).rejects.toThrow('process died');
    expect(payments.rows.get('b-1')?.status).toBe('PENDING');
    const retried = await handler.execute(command);
    expect(retried.payment.status).toBe('APPROVED');
    expect(provider.charges.size).toBe(1);
  });

  it('lets the recovery job settle an intent nobody came back for, from the provider record', async () => {
    provider.crashAfterCharge = true;
    await expect(handler.execute(command)).rejects.toThrow('process died');
    const recover = new RecoverPaymentIntentsHandler(payments, provider, unitOfWork);
    expect(await recover.execute(new RecoverPaymentIntentsCommand(0, new Date(Date.now() + 1000)))).toBe(1);
    expect(payments.rows.get('b-1')?.status).toBe('APPROVED');
    expect(await recover.execute(new RecoverPaymentIntentsCommand(0, new Date(Date.now() + 1000)))).toBe(0);
  });

  it('voids an intent the provider never charged', async () => {
    provider.unavailable = true;
    await expect(handler.execute(command)).rejects.toBeInstanceOf(PaymentProviderUnavailableError);
    const recover = new RecoverPaymentIntentsHandler(payments, provider, unitOfWork);
    expect(await recover.execute(new RecoverPaymentIntentsCommand(0, new Date(Date.now() + 1000)))).toBe(1);
    expect(payments.rows.get('b-1')?.status).toBe('VOIDED');
  });

  it('answers a settled payment again without asking the provider', async () => {
    await handler.execute(command);
    const calls = provider.calls;
    const again = await handler.execute(command);
    expect(again).toMatchObject({ created: false, payment: { status: 'APPROVED' } });
    expect(provider.calls).toBe(calls);
  });
});

import type { UnitOfWork } from '@storage/ddd';
import { Payment, PaymentProviderUnavailableError, type PaymentDomainEvent } from '../../domain';
import { PaymentProvider, type ChargeDecision } from '../ports/payment-provider.port';
import { InMemoryPayments } from '../ports/payment.repository.fake';
import { RecoverPaymentIntentsCommand } from './recover-payment-intents.command';
import { NO_CHARGE_RECORDED, RecoverPaymentIntentsHandler } from './recover-payment-intents.handler';

/** The provider's own record: what it decided per idempotency key (none: it never charged). */
class ProviderRecord extends PaymentProvider {
  readonly decided = new Map<string, ChargeDecision>();
  readonly asked: string[] = [];
  unreachable = false;

  charge(): Promise<ChargeDecision> {
    return Promise.reject(new Error('recovery never charges'));
  }
  lookup(idempotencyKey: string): Promise<ChargeDecision | undefined> {
    this.asked.push(idempotencyKey);
    if (this.unreachable) {
      return Promise.reject(new PaymentProviderUnavailableError('lookup timed out'));
    }
    return Promise.resolve(this.decided.get(idempotencyKey));
  }
}

const unitOfWork: UnitOfWork = { run: (work) => work() };
const MINUTE = 60_000;
/** The job's clock: an hour after the intents below were written. */
const later = () => new Date(Date.now() + 60 * MINUTE);
const eventTypes = (events: PaymentDomainEvent[]) => events.map((event) => event.type);

function setUp() {
  const payments = new InMemoryPayments();
  const provider = new ProviderRecord();
  const handler = new RecoverPaymentIntentsHandler(payments, provider, unitOfWork);
  /** An intent whose request died before it recorded the provider's answer. */
  const intent = async (bookingId: string) => {
    await payments.save(Payment.intend({ bookingId, customerId: 'alice', amount: 7000, method: 'card' }));
  };
  const recover = (now = later()) => handler.execute(new RecoverPaymentIntentsCommand(5 * MINUTE, now));
  return { payments, provider, intent, recover };
}

describe('RecoverPaymentIntentsHandler', () => {
  it("settles each stale intent by the provider's own record, and voids one it never charged", async () => {
    const { payments, provider, intent, recover } = setUp();
    await Promise.all(['charged', 'declined', 'never-charged'].map(intent));
    provider.decided.set('charged', { approved: true });
    provider.decided.set('declined', { approved: false, reason: 'INSUFFICIENT_FUNDS' });
    expect(await recover()).toBe(3);
    expect(payments.rows.get('charged')?.status).toBe('APPROVED');
    expect(payments.rows.get('declined')?.snapshot()).toMatchObject({
      status: 'DECLINED',
      declineReason: 'INSUFFICIENT_FUNDS',
    });
    expect(payments.rows.get('never-charged')?.snapshot()).toMatchObject({
      status: 'VOIDED',
      refundReason: NO_CHARGE_RECORDED,
    });
    // Booking hears of each charge's outcome; a void moves no money, so it announces nothing.
    expect(eventTypes(payments.outbox).sort()).toEqual(['PaymentApproved', 'PaymentDeclined']);
  });

  it('leaves intents younger than the grace and settled payments alone, and repairs nothing twice', async () => {
    const { payments, provider, intent, recover } = setUp();
    await intent('in-flight');
    await intent('settled');
    const settled = payments.rows.get('settled')!;
    settled.settle({ approved: true });
    await payments.save(settled);
    payments.outbox.length = 0;
    // Its request may still be waiting for the provider: the grace is theirs.
    expect(await recover(new Date(Date.now() + MINUTE))).toBe(0);
    expect(provider.asked).toEqual([]);
    expect(await recover()).toBe(1);
    expect(await recover()).toBe(0);
    expect(provider.asked).toEqual(['in-flight']);
    expect(payments.rows.get('in-flight')?.status).toBe('VOIDED');
    expect(payments.rows.get('settled')?.status).toBe('APPROVED');
    expect(payments.outbox).toEqual([]);
  });

  it('does not count an intent its own request settled meanwhile (no second event)', async () => {
    const { payments, provider, intent, recover } = setUp();
    await intent('b-1');
    provider.decided.set('b-1', { approved: true });
    // The request answers between the job's scan and its locked read.
    const lookup = provider.lookup.bind(provider);
    provider.lookup = async (key) => {
      const settled = payments.rows.get(key)!;
      settled.settle({ approved: true });
      await payments.save(settled);
      return lookup(key);
    };
    expect(await recover()).toBe(0);
    expect(eventTypes(payments.outbox)).toEqual(['PaymentApproved']);
  });

  it('keeps an intent pending while the provider cannot say, for the next run', async () => {
    const { payments, provider, intent, recover } = setUp();
    await intent('b-1');
    provider.unreachable = true;
    await expect(recover()).rejects.toThrow(PaymentProviderUnavailableError);
    expect(payments.rows.get('b-1')?.status).toBe('PENDING');
    provider.unreachable = false;
    provider.decided.set('b-1', { approved: true });
    expect(await recover()).toBe(1);
    expect(payments.rows.get('b-1')?.status).toBe('APPROVED');
  });
});

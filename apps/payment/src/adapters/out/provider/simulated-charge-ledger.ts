import type { DataSource } from 'typeorm';
import type { ChargeDecision } from '../../../application/ports/payment-provider.port';
import type { ChargeLedger } from './simulated-payment.provider';

/**
 * The simulated processor's memory of its charges, durable like a real processor's: a table of
 * its own (`simulated_provider_charge`), written outside the payment service's transactions, so a
 * crash of the service after a charge does not make the processor forget it.
 */
export class SimulatedChargeLedger implements ChargeLedger {
  constructor(private readonly dataSource: DataSource) {}

  async recall(key: string): Promise<ChargeDecision | undefined> {
    const [row] = await this.dataSource.query<{ approved: boolean; reason: string | null }[]>(
      'SELECT approved, reason FROM simulated_provider_charge WHERE idempotency_key = $1',
      [key],
    );
    return row ? SimulatedChargeLedger.decision(row) : undefined;
  }

  async record(key: string, decision: ChargeDecision): Promise<ChargeDecision> {
    // One statement when the key is new (the usual case); an earlier decision wins otherwise.
    const inserted = await this.dataSource.query<unknown[]>(
      `INSERT INTO simulated_provider_charge (idempotency_key, approved, reason) VALUES ($1, $2, $3)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [key, decision.approved, decision.approved ? null : decision.reason],
    );
    return inserted.length > 0 ? decision : ((await this.recall(key)) ?? decision);
  }

  private static decision(row: { approved: boolean; reason: string | null }): ChargeDecision {
    return row.approved ? { approved: true } : { approved: false, reason: row.reason ?? 'DECLINED' };
  }
}

import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { DataServiceConfig } from '@storage/config';

export class PaymentConfig extends DataServiceConfig {
  override PORT: number = 8082;

  /** Simulated processor latency: one number or a range "min-max" in ms. */
  @Matches(/^\d{1,6}(-\d{1,6})?$/, { message: 'must be milliseconds, e.g. 0 or 400-620' })
  PAYMENT_LATENCY_MS = '0';

  /** Share of charges the simulated processor fails with 503 (0..1). */
  @IsNumber()
  @Min(0)
  @Max(1)
  PAYMENT_FAILURE_RATE: number = 0;

  /** Charges above this amount (KRW) are declined with LIMIT_EXCEEDED. */
  @IsInt()
  @Min(1)
  PAYMENT_SINGLE_CHARGE_LIMIT: number = 5_000_000;

  latencyRange(): { min: number; max: number } {
    const [min, max] = this.PAYMENT_LATENCY_MS.split('-').map(Number);
    return { min, max: max ?? min };
  }
}

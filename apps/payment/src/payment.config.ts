import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { DataServiceConfig, EnvDuration, IsHttpUrl } from '@storage/config';
import { MAX_CHARGE_AMOUNT_KRW } from '@storage/contracts';

export class PaymentConfig extends DataServiceConfig {
  override PORT: number = 8082;

  /** Booking, asked by the reconciliation where the booking of an approved payment stands. */
  @IsHttpUrl()
  BOOKING_URL!: string;

  /** An APPROVED payment this old is checked against its booking (refunded if not kept). */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  PAYMENT_RECONCILE_AFTER_MS: number = 600_000;

  @EnvDuration()
  @IsInt()
  @Min(100)
  PAYMENT_RECONCILE_INTERVAL_MS: number = 60_000;

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
  @Max(MAX_CHARGE_AMOUNT_KRW)
  PAYMENT_SINGLE_CHARGE_LIMIT: number = 5_000_000;

  /**
   * A payment intent still PENDING this long after it was written lost its caller (a crash
   * between charge and outcome): it is settled from the provider's record, or voided if the
   * provider never charged.
   */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  PAYMENT_INTENT_RECOVERY_AFTER_MS: number = 30_000;

  @EnvDuration()
  @IsInt()
  @Min(100)
  PAYMENT_INTENT_RECOVERY_INTERVAL_MS: number = 10_000;

  latencyRange(): { min: number; max: number } {
    const [min, max] = this.PAYMENT_LATENCY_MS.split('-').map(Number);
    return { min, max: max ?? min };
  }
}

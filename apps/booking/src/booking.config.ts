import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { DataServiceConfig, EnvDuration, IsHttpUrl } from '@storage/config';

export class BookingConfig extends DataServiceConfig {
  override PORT: number = 8081;

  @IsHttpUrl()
  PAYMENT_URL!: string;

  @IsHttpUrl()
  STORAGE_ASSIGN_URL!: string;

  /** Longest rental one booking may cover. */
  @IsInt()
  @Min(1)
  @Max(3650)
  MAX_RENTAL_DAYS: number = 365;

  /** Per attempt; above it the payment call counts as failed (and the customer gets a 503). */
  @EnvDuration()
  @IsInt()
  @Min(50)
  @Max(60_000)
  PAYMENT_TIMEOUT_MS: number = 2000;

  /** Extra attempts on fast transient failures (safe: the booking id is the idempotency key). */
  @IsInt()
  @Min(0)
  @Max(5)
  PAYMENT_RETRIES: number = 1;

  /**
   * The circuit opens when more than this share of the payment calls of the last
   * PAYMENT_BREAKER_WINDOW_MS failed, once at least PAYMENT_BREAKER_MIN_CALLS were made: a slow
   * payment service whose tail times out keeps its traffic, a dead one is cut off quickly.
   */
  @IsNumber()
  @Min(0.01)
  @Max(0.99)
  PAYMENT_BREAKER_FAILURE_RATE: number = 0.5;

  @IsInt()
  @Min(1)
  @Max(10_000)
  PAYMENT_BREAKER_MIN_CALLS: number = 5;

  @EnvDuration()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  PAYMENT_BREAKER_WINDOW_MS: number = 10_000;

  /** How long the open circuit answers 503 at once before one trial call may pass. */
  @EnvDuration()
  @IsInt()
  @Min(100)
  @Max(600_000)
  PAYMENT_BREAKER_HALF_OPEN_MS: number = 5000;

  /**
   * The most payment calls in flight at once, and how many may wait for a slot. While calls fail
   * (time out) fewer are let in, down to 4, and at start and after the circuit has been open it
   * starts from 4, one more call per success until calls fail again (see AdaptiveLimit in
   * libs/resilience). Beyond that a booking is refused at the door with 503 before any work (but
   * during that slow start, see PAYMENT_SLOW_START_WAIT_MS): a waiting request would hold its
   * client for as long as the calls ahead of it take.
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  PAYMENT_BULKHEAD_LIMIT: number = 50;

  @IsInt()
  @Min(0)
  @Max(10_000)
  PAYMENT_BULKHEAD_QUEUE: number = 0;

  /**
   * At start and after the circuit has been open, the limit of payment calls at once starts from
   * 4 and grows one call per answer: until it is found, a booking beyond it waits up to this long
   * at the door for a call to end, rather than being refused while payment may be idle and
   * healthy (a burst just after a deploy). Once calls fail the refusal is immediate again. 0: never
   * wait.
   */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(10_000)
  PAYMENT_SLOW_START_WAIT_MS: number = 1000;

  /**
   * After a refusal at the door (circuit open, every slot taken), how long the gateway may give
   * the same 503 to every new booking itself (EDGE_HOLD_HEADER in libs/contracts): under a flood
   * of bookings booking then sees a few refusals a second instead of every one. The price: a
   * payment slot freed meanwhile waits up to this long for its next booking (50 ms next to a
   * payment call of about 500 ms when the slots are full). 0: every request reaches booking.
   */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(5000)
  PAYMENT_REFUSAL_EDGE_HOLD_MS: number = 50;

  /** The availability pre-check is optional: short, and skipped when storage-assign is slow. */
  @EnvDuration()
  @IsInt()
  @Min(20)
  @Max(10_000)
  AVAILABILITY_TIMEOUT_MS: number = 300;

  /**
   * How long recording a payment's outcome (approved, declined, no answer) waits out a database
   * that is briefly unreachable (a restart, a failover) before the customer gets a 503 and the
   * stale-payment sweep settles the booking (a charge refunded). Keep the payment call's time
   * plus this under the gateway's UPSTREAM_TIMEOUT_MS.
   */
  @EnvDuration()
  @IsInt()
  @Min(0)
  @Max(60_000)
  RECORD_PAYMENT_WITHIN_MS: number = 5000;

  /**
   * A repeat of a booking request (same Idempotency-Key) whose booking has waited this long for
   * its payment's outcome takes it over: the request placing it ended without one (its process
   * killed mid-call). Longer than a request lives: the payment call's attempts plus
   * RECORD_PAYMENT_WITHIN_MS. Until then, and without a key, the repeat is told "in progress".
   */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  RESUME_PENDING_PAYMENT_AFTER_MS: number = 15_000;

  /** A booking still waiting for its payment's outcome after this long is rejected and reconciled. */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  STALE_PAYMENT_GRACE_MS: number = 60_000;

  @EnvDuration()
  @IsInt()
  @Min(100)
  STALE_PAYMENT_SWEEP_INTERVAL_MS: number = 10_000;

  /**
   * A PAID booking with no assignment outcome for this long is announced again (BookingPlaced);
   * from its start date on it is rejected and refunded instead.
   */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  SAGA_REDRIVE_AFTER_MS: number = 120_000;

  @EnvDuration()
  @IsInt()
  @Min(100)
  SAGA_REDRIVE_INTERVAL_MS: number = 30_000;
}

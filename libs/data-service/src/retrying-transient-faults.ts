import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientFaults } from '@storage/ddd';
import { classifyFailure, retryBackoffMs } from '@storage/messaging';

/**
 * The faults worth waiting out are the ones the consumers wait out (`classifyFailure`): the
 * database unavailable, a transaction that lost a conflict. Retried with capped exponential
 * back-off and jitter, the last retry no later than the deadline.
 */
@Injectable()
export class RetryingTransientFaults extends TransientFaults {
  async waitOut<T>(work: (attempt: number) => Promise<T>, withinMs: number): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work(attempt);
      } catch (error) {
        const kind = classifyFailure(error);
        const pause = retryBackoffMs(attempt, 100, 1000);
        if ((kind !== 'database-unavailable' && kind !== 'transient') || Date.now() + pause > deadline) {
          throw error;
        }
        await sleep(pause);
      }
    }
  }
}

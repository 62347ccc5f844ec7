import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@storage/contracts';
import { currentManager, runInTransaction, sendAhead } from '@storage/persistence';

/** What the effect's first statement fails with when the inbox already holds the event. */
class EventAlreadyApplied extends Error {
  constructor(consumer: string, eventId: string) {
    super(`${consumer} already applied event ${eventId}`);
  }
}

/**
 * Idempotent consumption: the inbox row and the effect commit in one transaction (repositories
 * called from `effect` join it), so a redelivered event finds its row and changes nothing, and a
 * crash before commit leaves neither behind. A repeat is known once the effect's first statement
 * is answered: its code up to that statement runs (nothing it writes commits), so an effect acts
 * outside the database only after its first statement, as every use case here does.
 */
@Injectable()
export class Inbox {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `effect` once per (consumer, event); returns false when the event was already applied. */
  async processOnce(
    consumer: string,
    envelope: EventEnvelope<unknown>,
    effect: () => Promise<void>,
  ): Promise<boolean> {
    if (currentManager(this.dataSource) !== this.dataSource.manager) {
      // A repeat rolls back the whole transaction: it must be this one's own.
      throw new Error(
        'Inbox.processOnce opens its own transaction; it cannot run inside another unit of work',
      );
    }
    let repeated = false;
    try {
      await runInTransaction(this.dataSource, async () => {
        // The row goes out in front of the effect's first statement, in its round trip. Both run
        // before the answer says whether the row was new; when it was not, that statement fails
        // with EventAlreadyApplied, so the effect stops there, and everything is rolled back.
        sendAhead('Recording an event in the inbox', {
          text: `INSERT INTO inbox_message (consumer, event_id, event_type) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING`,
          values: [consumer, envelope.eventId, envelope.type],
          check: (inserted) => {
            repeated = inserted === 0;
            return repeated ? new EventAlreadyApplied(consumer, envelope.eventId) : undefined;
          },
        });
        await effect();
        if (repeated) {
          // The effect caught its statement's failure and went on: still nothing of it may commit.
          throw new EventAlreadyApplied(consumer, envelope.eventId);
        }
      });
    } catch (error) {
      if (repeated) {
        return false;
      }
      throw error;
    }
    return true;
  }
}

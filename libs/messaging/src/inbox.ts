import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@storage/contracts';
import { runInTransaction } from '@storage/persistence';

/**
 * Idempotent consumption: the inbox row and the effect commit in one transaction (repositories
 * called from `effect` join it), so a redelivered event finds its row and changes nothing, and a
 * crash before commit leaves neither behind.
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
    return runInTransaction(this.dataSource, async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO inbox_message (consumer, event_id, event_type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, envelope.eventId, envelope.type],
      );
      if (inserted.length === 0) {
        return false;
      }
      await effect();
      return true;
    });
  }
}

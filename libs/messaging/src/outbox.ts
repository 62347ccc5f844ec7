import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { EventHeaders, type EventDefinition, type EventEnvelope } from '@storage/contracts';
import { currentRequestContext, currentTraceparent } from '@storage/observability';
import {
  insertRow,
  RowNotFoundError,
  sendAhead,
  transactionManager,
  updateRow,
  type RowConditions,
  type RowStatement,
} from '@storage/persistence';

/**
 * Name of the Postgres channel the relay LISTENs on; NOTIFY is delivered only on commit. The
 * outbox table's trigger (OutboxNotifyTrigger migration) spells it out: a migration never changes.
 */
export const OUTBOX_CHANNEL = 'outbox_message_added';

/**
 * Each outbox column's parameter type, written out: a plain INSERT ... VALUES would infer them,
 * but inside SELECT ... FROM (VALUES ...) (updateIfUnchanged) parameters are text until cast.
 */
const OUTBOX_CASTS = ['::uuid', '', '', '', '::jsonb', '::jsonb'] as const;

export interface OutgoingEvent<T extends object> {
  definition: EventDefinition<T>;
  payload: T;
  /**
   * Message key and correlation id: the booking id for a booking's events, the unit id for a
   * unit's inventory events, so one aggregate's events stay in order on one partition.
   */
  correlationId: string;
}

/**
 * Appends events to the outbox inside the caller's transaction, so an event exists if and only
 * if the state change that raised it committed. The table's trigger wakes the relay on commit.
 */
@Injectable()
export class Outbox {
  async append<T extends object>(manager: EntityManager, event: OutgoingEvent<T>): Promise<EventEnvelope<T>> {
    const [envelope] = await this.appendAll(manager, [event]);
    return envelope as EventEnvelope<T>;
  }

  /** Appends events in order (an aggregate's pulled events, mapped to the contract): one INSERT. */
  async appendAll(manager: EntityManager, events: OutgoingEvent<object>[]): Promise<EventEnvelope<object>[]> {
    if (events.length === 0) {
      return [];
    }
    const { rows, parameters, envelopes } = this.rowsOf(events, 1);
    // bigserial ids follow the VALUES order: the relay publishes them in the order given here.
    await manager.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, headers)
       VALUES ${rows.join(', ')}`,
      parameters,
    );
    return envelopes;
  }

  /**
   * An aggregate's row written back and its events appended in one statement, atomic by itself,
   * so it needs neither a transaction nor a lock: the UPDATE applies only while the row still
   * holds `unchanged` (the values the caller's copy was read or written with), and the events are
   * inserted only if it did. For a change to a copy the caller holds fresh, that is one round trip
   * instead of five (BEGIN, SELECT FOR UPDATE, UPDATE, INSERT, COMMIT). Returns false, having
   * written nothing, when someone changed the row meanwhile: the caller then takes the locked way.
   */
  async updateIfUnchanged<T extends ObjectLiteral>(
    manager: EntityManager,
    target: EntityTarget<T>,
    row: T,
    unchanged: RowConditions<T>,
    events: OutgoingEvent<object>[],
  ): Promise<boolean> {
    return (await this.writeWithEvents(manager, updateRow(manager, target, row, unchanged), events)) === 1;
  }

  /**
   * A locked aggregate's row written back by primary key and its events appended: one statement
   * where UPDATE then INSERT took two (and TypeORM's save() would first SELECT the row to choose
   * between INSERT and UPDATE, a round trip wasted when the use case has just read and locked it).
   * Updating nothing is an error (RowNotFoundError), never a silent upsert.
   */
  async update<T extends ObjectLiteral>(
    manager: EntityManager,
    target: EntityTarget<T>,
    row: T,
    events: OutgoingEvent<object>[],
  ): Promise<void> {
    if (!(await this.updateIfUnchanged(manager, target, row, {}, events))) {
      const metadata = manager.connection.getMetadata(target);
      throw new RowNotFoundError(metadata.tableName, metadata.getEntityIdMap(row) ?? {});
    }
  }

  /**
   * A new aggregate's row and its events in one statement: a constraint that refuses the row
   * (the assignments' exclusion constraint) refuses its events with it. Nothing needs its answer,
   * so it is sent ahead (`sendAhead`): with the unit of work's next statement, or with its COMMIT
   * when it is the last, in that one round trip; its failure fails that statement or COMMIT, and
   * the unit of work rolls back.
   */
  insert<T extends ObjectLiteral>(target: EntityTarget<T>, row: T, events: OutgoingEvent<object>[]): void {
    const what = 'Inserting a row with its events';
    const [text, values] = this.withEvents(insertRow(transactionManager(what), target, row), events);
    sendAhead(what, { text, values });
  }

  /**
   * Runs a write that returns one row per row written (RETURNING 1) with `events` appended only
   * if it wrote something, in one statement; returns how many rows it wrote.
   */
  private async writeWithEvents(
    manager: EntityManager,
    write: RowStatement,
    events: OutgoingEvent<object>[],
  ): Promise<number> {
    const [result] = await manager.query<{ written: number }[]>(...this.withEvents(write, events));
    return result.written;
  }

  /**
   * A write that returns one row per row written (RETURNING 1) and `events` appended only if it
   * wrote something, as one statement that answers how many rows it wrote.
   */
  private withEvents([write, writeParameters]: RowStatement, events: OutgoingEvent<object>[]): RowStatement {
    const { rows, parameters } = this.rowsOf(events, writeParameters.length + 1);
    return [
      events.length === 0
        ? `WITH written AS (${write}) SELECT count(*)::int AS written FROM written`
        : `WITH written AS (${write}),
           published AS (
             INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, headers)
             SELECT * FROM (VALUES ${rows.join(', ')})
               AS event (event_id, topic, message_key, event_type, envelope, headers)
             WHERE EXISTS (SELECT 1 FROM written)
           )
           SELECT count(*)::int AS written FROM written`,
      [...writeParameters, ...parameters],
    ];
  }

  /** The outbox rows of `events` as VALUES tuples, their parameters numbered from `first`. */
  private rowsOf(
    events: OutgoingEvent<object>[],
    first: number,
  ): { rows: string[]; parameters: unknown[]; envelopes: EventEnvelope<object>[] } {
    const context = currentRequestContext();
    const traceparent = currentTraceparent();
    const parameters: unknown[] = [];
    const rows: string[] = [];
    const envelopes = events.map((event) => {
      const envelope: EventEnvelope<object> = {
        eventId: randomUUID(),
        type: event.definition.type,
        version: event.definition.version,
        occurredAt: new Date().toISOString(),
        correlationId: event.correlationId,
        causationId: context?.causationId ?? null,
        payload: event.payload,
      };
      const headers: Record<string, string> = {
        [EventHeaders.eventId]: envelope.eventId,
        [EventHeaders.eventType]: envelope.type,
        [EventHeaders.eventVersion]: String(envelope.version),
        [EventHeaders.correlationId]: envelope.correlationId,
        ...(context?.requestId ? { [EventHeaders.requestId]: context.requestId } : {}),
        ...(traceparent ? { [EventHeaders.traceparent]: traceparent } : {}),
      };
      const at = first + parameters.length;
      rows.push(`(${OUTBOX_CASTS.map((cast, index) => `$${at + index}${cast}`).join(', ')})`);
      parameters.push(
        envelope.eventId,
        event.definition.topic,
        event.correlationId,
        envelope.type,
        JSON.stringify(envelope),
        JSON.stringify(headers),
      );
      return envelope;
    });
    return { rows, parameters, envelopes };
  }
}

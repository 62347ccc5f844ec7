import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventHeaders, type EventDefinition, type EventEnvelope } from '@storage/contracts';
import { currentRequestContext, currentTraceparent } from '@storage/observability';

/**
 * Name of the Postgres channel the relay LISTENs on; NOTIFY is delivered only on commit. The
 * outbox table's trigger (OutboxNotifyTrigger migration) spells it out: a migration never changes.
 */
export const OUTBOX_CHANNEL = 'outbox_message_added';

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
      const first = parameters.length + 1;
      rows.push(`($${first}, $${first + 1}, $${first + 2}, $${first + 3}, $${first + 4}, $${first + 5})`);
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
    // bigserial ids follow the VALUES order: the relay publishes them in the order given here.
    await manager.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, headers)
       VALUES ${rows.join(', ')}`,
      parameters,
    );
    return envelopes;
  }
}

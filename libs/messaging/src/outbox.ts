import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventHeaders, type EventDefinition, type EventEnvelope } from '@storage/contracts';
import { currentRequestContext } from '@storage/observability';

/** Name of the Postgres channel the relay LISTENs on; NOTIFY is delivered only on commit. */
export const OUTBOX_CHANNEL = 'outbox_message_added';

export interface OutgoingEvent<T extends object> {
  definition: EventDefinition<T>;
  payload: T;
  /** The booking id for booking events: message key and correlation id. */
  correlationId: string;
  /** Overrides the message key when the aggregate is not the booking (e.g. a storage unit). */
  key?: string;
  causationId?: string | null;
}

/**
 * Appends events to the outbox inside the caller's transaction, so an event exists if and only
 * if the state change that raised it committed.
 */
@Injectable()
export class Outbox {
  async append<T extends object>(manager: EntityManager, event: OutgoingEvent<T>): Promise<EventEnvelope<T>> {
    const envelope: EventEnvelope<T> = {
      eventId: randomUUID(),
      type: event.definition.type,
      version: event.definition.version,
      occurredAt: new Date().toISOString(),
      correlationId: event.correlationId,
      causationId: event.causationId ?? null,
      payload: event.payload,
    };
    const context = currentRequestContext();
    const headers: Record<string, string> = {
      [EventHeaders.eventType]: envelope.type,
      [EventHeaders.eventVersion]: String(envelope.version),
      [EventHeaders.correlationId]: envelope.correlationId,
      ...(context?.requestId ? { [EventHeaders.requestId]: context.requestId } : {}),
      ...(context?.traceparent ? { [EventHeaders.traceparent]: context.traceparent } : {}),
    };
    await manager.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, headers)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        envelope.eventId,
        event.definition.topic,
        event.key ?? event.correlationId,
        envelope.type,
        JSON.stringify(envelope),
        JSON.stringify(headers),
      ],
    );
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, event.definition.topic]);
    return envelope;
  }

  /** Appends events in order (an aggregate's pulled events, mapped to the contract). */
  async appendAll(manager: EntityManager, events: OutgoingEvent<object>[]): Promise<void> {
    for (const event of events) {
      await this.append(manager, event);
    }
  }
}

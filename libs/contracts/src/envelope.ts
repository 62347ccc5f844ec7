import {
  IsDefined,
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Min,
} from 'class-validator';

/**
 * Every event travels in this envelope. `correlationId` is the booking id for every event of a
 * booking (and the Kafka message key), so one booking's story can be followed across services;
 * `causationId` is the id of the event whose handling raised this one (null when a request or a
 * job raised it), so the chain within the story can be followed too.
 */
export interface EventEnvelope<TPayload = unknown> {
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  payload: TPayload;
}

export class EventEnvelopeDto implements EventEnvelope<unknown> {
  @IsUUID()
  eventId!: string;

  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  occurredAt!: string;

  @IsString()
  @IsNotEmpty()
  correlationId!: string;

  @IsOptional()
  @IsString()
  causationId!: string | null;

  @IsDefined()
  @IsObject()
  payload!: unknown;
}

/** Kafka header names set on every message next to the envelope. */
export const EventHeaders = {
  eventId: 'event-id',
  eventType: 'event-type',
  eventVersion: 'event-version',
  correlationId: 'x-correlation-id',
  requestId: 'x-request-id',
  traceparent: 'traceparent',
} as const;

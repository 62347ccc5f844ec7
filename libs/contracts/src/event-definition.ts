import type { TopicName } from './topics';

/** Wire identity of one event version: the publisher owns it, consumers match on type + version. */
export interface EventDefinition<TPayload extends object = object> {
  readonly type: string;
  readonly version: number;
  readonly topic: TopicName;
  /**
   * The payload's class: class-validator rules only. Consumers validate what arrives as it is
   * (libs/messaging event-router.ts) and convert nothing, so class-transformer decorators here
   * would be ignored.
   */
  readonly payload: new () => TPayload;
}

export function defineEvent<TPayload extends object>(
  type: string,
  version: number,
  topic: TopicName,
  payload: new () => TPayload,
): EventDefinition<TPayload> {
  return Object.freeze({ type, version, topic, payload });
}

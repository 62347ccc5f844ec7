/**
 * Topic names are part of the wire contract: one topic per publishing context, keyed by booking id
 * (or unit id for inventory events) so one aggregate's events stay ordered.
 */
export const Topics = {
  bookingEvents: 'booking.events.v1',
  paymentEvents: 'payment.events.v1',
  storageEvents: 'storage.events.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Where a consumer parks a message it could not process after its bounded retries. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.dlq`;
}

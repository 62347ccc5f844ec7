/** How long the saga's asynchronous half took: from BookingPlaced (paid) to its outcome. */
export abstract class SagaMetrics {
  abstract settled(outcome: 'confirmed' | 'rejected', placedAt: Date): void;
}

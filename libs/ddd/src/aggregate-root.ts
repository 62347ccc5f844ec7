/** Collects the domain events an aggregate raised until the repository saves them atomically. */
export abstract class AggregateRoot<TEvent> {
  private pending: TEvent[] = [];

  protected raise(event: TEvent): void {
    this.pending.push(event);
  }

  pullEvents(): TEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}

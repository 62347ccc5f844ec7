/**
 * Collects the domain events an aggregate raised until the repository saves them atomically.
 *
 * Its transitions come in two families, by who asks:
 * - a caller's request (cancel, check out, mark paid) throws a DomainError when the state forbids
 *   it: the caller is told why (a 409 with the rule's code);
 * - a fact to absorb (an event, a repair job: assignUnit, settle, release) reports instead:
 *   `true` when it changed something (and raised its events), `false` when there was nothing to do,
 *   a redelivery or a repeat, so the handler saves only what changed and never refuses a fact.
 */
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

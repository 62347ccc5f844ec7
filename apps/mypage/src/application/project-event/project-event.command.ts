import type { TrackedEvent } from '../../domain';

/** One event of the saga, as my page tracks it, to fold into the customer's views. */
export class ProjectEventCommand {
  constructor(readonly event: TrackedEvent) {}
}

import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { describe, project, type TrackedEvent } from '../../domain';
import { MypageRepository } from '../ports/mypage.repository.port';

/**
 * Folds one event into the customer's view: timeline entry, view update and (on a status
 * change) a notice, all in one transaction. The timeline's event-id key makes a redelivered event
 * a no-op (my page keeps no inbox: this is its idempotency); the view row lock serialises events
 * of one booking arriving concurrently from different topics.
 */
@Injectable()
export class ProjectEventHandler {
  constructor(
    private readonly repository: MypageRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(event: TrackedEvent): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      const current = await this.repository.lockView(event.bookingId);
      if (!(await this.repository.appendTimeline(event, describe(event)))) {
        return false;
      }
      const { view, notice } = project(current, event);
      await this.repository.saveView(view);
      if (notice) {
        await this.repository.addNotice(event.bookingId, notice, event.occurredAt);
      }
      return true;
    });
  }
}

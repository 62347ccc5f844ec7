import { Injectable } from '@nestjs/common';
import { describe, project } from '../../domain';
import { MypageRepository } from '../ports/mypage.repository.port';
import type { ProjectEventCommand } from './project-event.command';

/**
 * Folds one event into the customer's view. The transaction is the repository's single
 * conditional statement (`record`): the view as projected, the event's timeline entry and a notice
 * on a status change, written only if the view is still the version the projection started from.
 * - A redelivered event finds itself on the timeline (keyed by event id) and changes nothing:
 *   my page keeps no inbox, this is its idempotency.
 * - Events of one booking arriving at once from different topics: one records, the others find
 *   the version moved and project again from the newer view. Each retry means another event of
 *   the booking was recorded, and a booking has a handful, so the loop ends.
 * Two round trips per event, where a locking transaction took five or six.
 */
@Injectable()
export class ProjectEventHandler {
  constructor(private readonly repository: MypageRepository) {}

  async execute({ event }: ProjectEventCommand): Promise<boolean> {
    for (;;) {
      const {
        view: current,
        version,
        recorded,
      } = await this.repository.viewForEvent(event.bookingId, event.eventId);
      if (recorded) {
        return false;
      }
      const { view, notice } = project(current, event);
      const entry = {
        eventId: event.eventId,
        type: event.type,
        occurredAt: event.occurredAt,
        summary: describe(event),
      };
      if (
        await this.repository.record({
          view,
          version,
          entry,
          notice: notice && { ...notice, createdAt: event.occurredAt },
        })
      ) {
        return true;
      }
    }
  }
}

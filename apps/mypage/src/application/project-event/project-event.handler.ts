import { Injectable } from '@nestjs/common';
import { describe, emptyView, project, type BookingView } from '../../domain';
import { MypageRepository } from '../ports/mypage.repository.port';
import type { ProjectEventCommand } from './project-event.command';

/** How many bookings' last recorded views the handler keeps; the least recently used goes first. */
const REMEMBERED_VIEWS = 2000;

/** A booking's view and the version of its row (null: no row yet). */
interface Projected {
  view: BookingView;
  version: number | null;
}

/**
 * Folds one event into the customer's view. The transaction is the repository's single
 * conditional statement (`record`): the view as projected, the event's timeline entry and a notice
 * on a status change, written only if the view is still the version the projection started from
 * and the event is not on the timeline yet (its primary key).
 * - A redelivered event finds itself on the timeline and changes nothing: my page keeps no
 *   inbox, this is its idempotency.
 * - Events of one booking arriving at once from different topics: one records, the others find
 *   the version moved and project again from the newer view. Each retry means another event of
 *   the booking was recorded, and a booking has a handful, so the loop ends.
 * - A booking's events follow each other within seconds, so the view this process recorded last
 *   is usually the current one: the next event projects from it and skips the read, one round
 *   trip instead of two. A booking it does not remember is usually a new one, whose first event
 *   this is: the event is projected onto an empty view and recorded as the booking's first, also
 *   without a read. Being wrong costs one refused statement: the record is refused (the booking
 *   has a view already, another replica or an earlier run moved the version on, or recorded this
 *   very event) and the handler reads the stored view as it would have.
 */
@Injectable()
export class ProjectEventHandler {
  private readonly remembered = new Map<string, Projected>();

  constructor(private readonly repository: MypageRepository) {}

  async execute({ event }: ProjectEventCommand): Promise<boolean> {
    let known: Projected | undefined = this.remembered.get(event.bookingId) ?? {
      view: emptyView(event.bookingId),
      version: null,
    };
    for (;;) {
      let current: BookingView;
      let version: number | null;
      if (known) {
        ({ view: current, version } = known);
        known = undefined;
      } else {
        const read = await this.repository.viewForEvent(event.bookingId, event.eventId);
        if (read.recorded) {
          return false;
        }
        ({ view: current, version } = read);
      }
      const { view, notice } = project(current, event);
      const outcome = await this.repository.record({
        view,
        version,
        entry: {
          eventId: event.eventId,
          type: event.type,
          occurredAt: event.occurredAt,
          summary: describe(event),
        },
        notice: notice && { ...notice, createdAt: event.occurredAt },
      });
      if (outcome === 'recorded') {
        this.remember(view, (version ?? 0) + 1);
        return true;
      }
      this.remembered.delete(event.bookingId);
      if (outcome === 'already-recorded') {
        return false;
      }
    }
  }

  private remember(view: BookingView, version: number): void {
    // Deleted first so that the Map's order (insertion) is the order of use: the oldest goes.
    this.remembered.delete(view.bookingId);
    this.remembered.set(view.bookingId, { view, version });
    if (this.remembered.size > REMEMBERED_VIEWS) {
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
  }
}

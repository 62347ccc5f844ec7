import { TRUSTED, type Actor } from '@storage/ddd';
import { BookingViewNotFoundError, type TrackedEvent } from '../../domain';
import { InMemoryMypage } from '../ports/mypage.repository.fake';
import { ProjectEventCommand } from '../project-event/project-event.command';
import { ProjectEventHandler } from '../project-event/project-event.handler';
import { QueryMypageHandler } from './query-mypage.handler';

const alice: Actor = { kind: 'customer', customerId: 'alice' };
const page = { limit: 10, offset: 0 };

/** A booking's placement and confirmation at minute `minute` of a day, for `customerId`. */
function story(bookingId: string, customerId: string, minute: number): TrackedEvent[] {
  const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, minute, second)).toISOString();
  return [
    {
      type: 'BookingPlaced',
      eventId: `${bookingId}-placed`,
      occurredAt: at(0),
      bookingId,
      customerId,
      size: 'S',
      startDate: '2030-02-01',
      endDate: '2030-02-08',
      amount: 21_000,
      paymentId: `${bookingId}-payment`,
    },
    {
      type: 'BookingConfirmed',
      eventId: `${bookingId}-confirmed`,
      occurredAt: at(1),
      bookingId,
      customerId,
      unitId: 'u-1',
      unitCode: 'S-001',
    },
  ];
}

async function seeded() {
  const repository = new InMemoryMypage();
  const project = new ProjectEventHandler(repository);
  // The newest booking's events first: lists are ordered by when things happened, not arrived.
  for (const event of [
    ...story('alice-new', 'alice', 3),
    ...story('bob', 'bob', 2),
    ...story('alice-old', 'alice', 1),
  ]) {
    await project.execute(new ProjectEventCommand(event));
  }
  return new QueryMypageHandler(repository);
}

describe('QueryMypageHandler', () => {
  it("shows a customer their own booking with its timeline in order, another's as not found", async () => {
    const query = await seeded();
    const own = await query.booking('alice-old', alice);
    expect(own).toMatchObject({
      customerId: 'alice',
      status: 'CONFIRMED',
      unitCode: 'S-001',
      amount: 21_000,
    });
    expect(own.timeline.map((entry) => entry.type)).toEqual(['BookingPlaced', 'BookingConfirmed']);
    const hidden = query.booking('bob', alice);
    await expect(hidden).rejects.toBeInstanceOf(BookingViewNotFoundError);
    await expect(hidden).rejects.toMatchObject({ status: 404 });
    await expect(query.booking('never-heard-of', TRUSTED)).rejects.toBeInstanceOf(BookingViewNotFoundError);
    expect((await query.booking('bob', TRUSTED)).customerId).toBe('bob');
  });

  it('lists only their own bookings and notices, newest first, whatever customer they ask for', async () => {
    const query = await seeded();
    for (const asked of [page, { ...page, customerId: 'bob' }]) {
      expect((await query.bookings(asked, alice)).map((view) => view.bookingId)).toEqual([
        'alice-new',
        'alice-old',
      ]);
      const notices = await query.notices(asked, alice);
      expect(notices.map((notice) => [notice.bookingId, notice.kind])).toEqual([
        ['alice-new', 'CONFIRMED'],
        ['alice-new', 'PAID'],
        ['alice-old', 'CONFIRMED'],
        ['alice-old', 'PAID'],
      ]);
    }
  });

  it("lists everyone's for staff, one customer's when asked, a page at a time", async () => {
    const query = await seeded();
    expect((await query.bookings(page, TRUSTED)).map((view) => view.bookingId)).toEqual([
      'alice-new',
      'bob',
      'alice-old',
    ]);
    expect(
      (await query.bookings({ ...page, customerId: 'bob' }, TRUSTED)).map((view) => view.bookingId),
    ).toEqual(['bob']);
    expect((await query.notices({ limit: 2, offset: 2 }, TRUSTED)).map((notice) => notice.bookingId)).toEqual(
      ['bob', 'bob'],
    );
  });
});

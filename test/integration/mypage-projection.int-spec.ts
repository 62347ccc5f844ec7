import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  BookingTimelineOrmEntity,
  BookingViewOrmEntity,
  NoticeOrmEntity,
} from '../../apps/mypage/src/adapters/out/persistence/mypage.orm-entities';
import { MypageTypeormRepository } from '../../apps/mypage/src/adapters/out/persistence/mypage.typeorm-repository';
import { ProjectEventHandler } from '../../apps/mypage/src/application/project-event/project-event.handler';
import { describe as summary, project, type TrackedEvent } from '../../apps/mypage/src/domain';
import { CreateMypage1763700000400 } from '../../apps/mypage/src/migrations/1763700000400-create-mypage';
import { BookingViewVersion1765100000400 } from '../../apps/mypage/src/migrations/1765100000400-booking-view-version';
import { freshDatabase } from '../support/database';
import { ProjectEventCommand } from '../../apps/mypage/src/application/project-event/project-event.command';

/** A booking's whole story, one event per step, an hour apart. */
function story(bookingId: string): TrackedEvent[] {
  const customerId = 'customer-7';
  const paymentId = randomUUID();
  const unitId = randomUUID();
  const at = (hour: number) => new Date(Date.UTC(2030, 0, 1, hour)).toISOString();
  const base = (hour: number) => ({ eventId: randomUUID(), occurredAt: at(hour), bookingId });
  return [
    {
      ...base(1),
      type: 'BookingPlaced',
      customerId,
      size: 'M',
      startDate: '2030-02-01',
      endDate: '2030-03-01',
      amount: 123_000,
      paymentId,
    },
    { ...base(2), type: 'PaymentApproved', customerId, paymentId, amount: 123_000 },
    { ...base(3), type: 'StorageAssigned', unitId, unitCode: 'M-07', reassigned: false },
    { ...base(4), type: 'BookingConfirmed', customerId, unitId, unitCode: 'M-07' },
    { ...base(5), type: 'BookingCancelled', customerId, reason: 'CUSTOMER_REQUEST' },
    { ...base(6), type: 'StorageReleased', unitId, unitCode: 'M-07' },
    { ...base(7), type: 'PaymentRefunded', customerId, paymentId, amount: 123_000 },
  ];
}

/** An event's timeline entry, for records written straight to the repository. */
function timelineEntry({ eventId, type, occurredAt }: TrackedEvent) {
  return { eventId, type, occurredAt, summary: 'x' };
}

describe('my page projection (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataSource: DataSource;
  let repository: MypageTypeormRepository;
  let handler: ProjectEventHandler;

  beforeAll(async () => {
    db = await freshDatabase({
      entities: [BookingViewOrmEntity, BookingTimelineOrmEntity, NoticeOrmEntity],
      migrations: [CreateMypage1763700000400, BookingViewVersion1765100000400],
    });
    dataSource = db.dataSource;
    repository = new MypageTypeormRepository(dataSource);
    handler = new ProjectEventHandler(repository);
  });

  afterAll(() => db.drop());

  const noticeKinds = async (bookingId: string) =>
    (
      await dataSource.query<{ kind: string }[]>(
        'SELECT kind FROM notice WHERE booking_id = $1 ORDER BY kind',
        [bookingId],
      )
    ).map(({ kind }) => kind);

  it('builds the view, timeline and notices from a booking story, with the values intact', async () => {
    const bookingId = randomUUID();
    const events = story(bookingId);
    for (const event of events.slice(0, 4)) {
      await expect(handler.execute(new ProjectEventCommand(event))).resolves.toBe(true);
    }
    const view = await repository.findView(bookingId);
    expect(view).toMatchObject({
      bookingId,
      customerId: 'customer-7',
      status: 'CONFIRMED',
      size: 'M',
      startDate: '2030-02-01',
      endDate: '2030-03-01',
      amount: 123_000,
      paymentStatus: 'APPROVED',
      unitCode: 'M-07',
      unitReleased: false,
      lastEventAt: events[3].occurredAt,
    });
    expect(view).not.toHaveProperty('version');
    expect(view!.timeline.map(({ eventId }) => eventId)).toEqual(events.slice(0, 4).map((e) => e.eventId));
    expect(view!.timeline[0].summary).toBe(summary(events[0]));
    expect(await noticeKinds(bookingId)).toEqual(['CONFIRMED', 'PAID']);
  });

  it('changes nothing for a redelivered event', async () => {
    const bookingId = randomUUID();
    const [placed, approved] = story(bookingId);
    await handler.execute(new ProjectEventCommand(placed));
    await handler.execute(new ProjectEventCommand(approved));
    const before = await repository.findView(bookingId);

    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(false);
    await expect(handler.execute(new ProjectEventCommand(approved))).resolves.toBe(false);
    expect(await repository.findView(bookingId)).toEqual(before);
    expect(await noticeKinds(bookingId)).toEqual(['PAID']);
  });

  it('records nothing for an event on the timeline already, even at the current version', async () => {
    // What a handler remembering the view it recorded last sends for a redelivered event.
    const bookingId = randomUUID();
    const [placed, approved] = story(bookingId);
    await handler.execute(new ProjectEventCommand(placed));
    await handler.execute(new ProjectEventCommand(approved));
    const read = await repository.viewForEvent(bookingId, approved.eventId);
    expect(read).toMatchObject({ version: 2, recorded: true });
    const before = await repository.findView(bookingId);
    const entry = timelineEntry(approved);
    await expect(
      repository.record({ view: project(read.view, approved).view, version: 2, entry, notice: null }),
    ).resolves.toBe('already-recorded');
    expect(await repository.findView(bookingId)).toEqual(before);
    expect((await repository.viewForEvent(bookingId, approved.eventId)).version).toBe(2);

    // A handler that remembers nothing (another replica) records it as the booking's first event:
    // refused, it is recorded already.
    await expect(
      new ProjectEventHandler(repository).execute(new ProjectEventCommand(approved)),
    ).resolves.toBe(false);
    expect(await repository.findView(bookingId)).toEqual(before);
  });

  it('records nothing at a version that moved on, and the handler projects again from the newer view', async () => {
    const bookingId = randomUUID();
    const [placed, approved, assigned] = story(bookingId);
    await handler.execute(new ProjectEventCommand(placed));
    const read = await repository.viewForEvent(bookingId, assigned.eventId);
    expect(read).toMatchObject({ version: 1, recorded: false });
    await handler.execute(new ProjectEventCommand(approved));

    const stale = project(read.view, assigned);
    const entry = timelineEntry(assigned);
    await expect(
      repository.record({ view: stale.view, version: read.version, entry, notice: null }),
    ).resolves.toBe('version-moved');
    // Nothing of the refused record was written: no timeline entry, the view as the approval left it.
    expect((await repository.viewForEvent(bookingId, assigned.eventId)).recorded).toBe(false);
    expect(await repository.findView(bookingId)).toMatchObject({ unitCode: null, paymentStatus: 'APPROVED' });

    await expect(handler.execute(new ProjectEventCommand(assigned))).resolves.toBe(true);
    expect(await repository.findView(bookingId)).toMatchObject({
      unitCode: 'M-07',
      paymentStatus: 'APPROVED',
    });
  });

  it('a first event racing another first event of the same booking: one inserts, the other updates', async () => {
    const bookingId = randomUUID();
    const [placed, approved] = story(bookingId);
    const first = await repository.viewForEvent(bookingId, placed.eventId);
    expect(first.version).toBeNull();
    await handler.execute(new ProjectEventCommand(approved));
    const entry = timelineEntry(placed);
    await expect(
      repository.record({ view: project(first.view, placed).view, version: null, entry, notice: null }),
    ).resolves.toBe('version-moved');
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(true);
    expect(await repository.findView(bookingId)).toMatchObject({ status: 'PAID', amount: 123_000 });

    // A handler that remembers nothing (another replica, an earlier run) takes the next event for
    // the booking's first: refused, it reads the stored view and projects from it.
    const [, , assigned] = story(bookingId);
    await expect(
      new ProjectEventHandler(repository).execute(new ProjectEventCommand(assigned)),
    ).resolves.toBe(true);
    expect(await repository.findView(bookingId)).toMatchObject({
      status: 'PAID',
      amount: 123_000,
      unitCode: 'M-07',
    });
    expect((await repository.findView(bookingId))?.timeline).toHaveLength(3);
  });

  it('applies every event exactly once when they all arrive at once, each three times', async () => {
    const bookingId = randomUUID();
    const events = story(bookingId);
    const deliveries = [...events, ...events, ...events].sort(() => Math.random() - 0.5);
    const results = await Promise.all(
      deliveries.map((event) => handler.execute(new ProjectEventCommand(event))),
    );
    expect(results.filter(Boolean)).toHaveLength(events.length);

    // The same story applied one by one to another booking gives the same view.
    const reference = randomUUID();
    for (const event of story(reference)) {
      await handler.execute(new ProjectEventCommand({ ...event, bookingId: reference }));
    }
    const raced = await repository.findView(bookingId);
    const sequential = await repository.findView(reference);
    const comparable = (view: typeof raced) => {
      const { bookingId: _id, timeline, paymentId: _payment, unitId: _unit, ...rest } = view!;
      return { ...rest, timeline: timeline.length };
    };
    expect(comparable(raced)).toEqual(comparable(sequential));
    expect(raced).toMatchObject({ status: 'CANCELLED', paymentStatus: 'REFUNDED', unitReleased: true });
    expect(new Set(raced!.timeline.map(({ eventId }) => eventId))).toEqual(
      new Set(events.map((e) => e.eventId)),
    );
    // Which notices the middle of the story gives depends on the order (a late BookingPlaced finds
    // the booking past PAID); the end of it does not.
    expect(await noticeKinds(bookingId)).toEqual(expect.arrayContaining(['CANCELLED', 'REFUNDED']));
  });
});

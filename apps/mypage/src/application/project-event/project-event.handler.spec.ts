import type { TrackedEvent } from '../../domain';
import { InMemoryMypage } from '../ports/mypage.repository.fake';
import { ProjectEventHandler } from './project-event.handler';
import { ProjectEventCommand } from './project-event.command';

const bookingId = 'b6a0e7de-8a43-4a57-a1c4-1f0e4c2f7a11';
const placed: TrackedEvent = {
  type: 'BookingPlaced',
  eventId: 'e-placed',
  occurredAt: '2030-01-01T01:00:00.000Z',
  bookingId,
  customerId: 'customer-1',
  size: 'S',
  startDate: '2030-02-01',
  endDate: '2030-02-28',
  amount: 50_000,
  paymentId: 'p-1',
};
const assigned: TrackedEvent = {
  type: 'StorageAssigned',
  eventId: 'e-assigned',
  occurredAt: '2030-01-01T02:00:00.000Z',
  bookingId,
  unitId: 'u-1',
  unitCode: 'S-01',
  reassigned: false,
};

describe('ProjectEventHandler', () => {
  let repository: InMemoryMypage;
  let handler: ProjectEventHandler;

  beforeEach(() => {
    repository = new InMemoryMypage();
    handler = new ProjectEventHandler(repository);
  });

  it('records an event with its timeline entry and notice', async () => {
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(true);
    expect(repository.views.get(bookingId)).toMatchObject({
      version: 1,
      view: { status: 'PAID', amount: 50_000, customerId: 'customer-1' },
    });
    expect(repository.timeline).toEqual([
      expect.objectContaining({ eventId: 'e-placed', type: 'BookingPlaced' }),
    ]);
    expect(repository.notices.map((notice) => notice.kind)).toEqual(['PAID']);
  });

  it('changes nothing for an event already on the timeline', async () => {
    await handler.execute(new ProjectEventCommand(placed));
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(false);
    // Also when another replica (a handler with nothing remembered) gets the redelivery.
    await expect(new ProjectEventHandler(repository).execute(new ProjectEventCommand(placed))).resolves.toBe(
      false,
    );
    expect(repository.timeline).toHaveLength(1);
    expect(repository.notices.map((notice) => notice.kind)).toEqual(['PAID']);
    expect(repository.views.get(bookingId)?.version).toBe(1);
  });

  it("records a booking's first event as the booking's first, without reading", async () => {
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(true);
    expect(repository.reads).toBe(0);
    expect(repository.records).toBe(1);
    expect(repository.views.get(bookingId)?.version).toBe(1);
  });

  it("projects a booking's next event from the view it recorded last, without reading it", async () => {
    await handler.execute(new ProjectEventCommand(placed));
    await expect(handler.execute(new ProjectEventCommand(assigned))).resolves.toBe(true);
    expect(repository.reads).toBe(0);
    expect(repository.records).toBe(2);
    expect(repository.views.get(bookingId)).toMatchObject({
      version: 2,
      view: { status: 'PAID', unitCode: 'S-01', amount: 50_000 },
    });
  });

  it('reads the stored view of a booking it does not remember (another replica, an earlier run)', async () => {
    await new ProjectEventHandler(repository).execute(new ProjectEventCommand(placed));
    await expect(handler.execute(new ProjectEventCommand(assigned))).resolves.toBe(true);
    // Recorded as the booking's first, refused (there is a view), then read and projected from it.
    expect(repository.records).toBe(3);
    expect(repository.reads).toBe(1);
    expect(repository.views.get(bookingId)).toMatchObject({
      version: 2,
      view: { status: 'PAID', unitCode: 'S-01', amount: 50_000, customerId: 'customer-1' },
    });
    expect(repository.timeline.map(({ eventId }) => eventId)).toEqual(['e-placed', 'e-assigned']);
  });

  it('reads the stored view when another replica moved the one it remembers on', async () => {
    const other = new ProjectEventHandler(repository);
    await handler.execute(new ProjectEventCommand(placed));
    await other.execute(new ProjectEventCommand(assigned));
    const cancelled: TrackedEvent = {
      type: 'BookingCancelled',
      eventId: 'e-cancelled',
      occurredAt: '2030-01-01T03:00:00.000Z',
      bookingId,
      customerId: 'customer-1',
      reason: 'CUSTOMER_REQUEST',
    };
    await expect(handler.execute(new ProjectEventCommand(cancelled))).resolves.toBe(true);
    // Its remembered view was refused (version 1, stored 2); it read and projected from version 2.
    expect(repository.views.get(bookingId)).toMatchObject({
      version: 3,
      view: { status: 'CANCELLED', unitCode: 'S-01', amount: 50_000 },
    });
    expect(repository.timeline.map(({ eventId }) => eventId)).toEqual([
      'e-placed',
      'e-assigned',
      'e-cancelled',
    ]);
  });

  it('projects again from the newer view when another event landed between its read and its write', async () => {
    repository.beforeRecord = async () => {
      await handler.execute(new ProjectEventCommand(assigned));
    };
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(true);
    // The first try was refused; the second started from the view with the unit on it.
    expect(repository.records).toBe(3);
    expect(repository.views.get(bookingId)).toMatchObject({
      version: 2,
      view: { status: 'PAID', unitCode: 'S-01', amount: 50_000 },
    });
    expect(repository.timeline.map(({ eventId }) => eventId)).toEqual(['e-assigned', 'e-placed']);
  });
});

import { emptyView, type BookingView, type TrackedEvent } from '../../domain';
import {
  MypageRepository,
  type EventRecord,
  type TimelineEntry,
  type ViewForEvent,
} from '../ports/mypage.repository.port';
import { ProjectEventHandler } from './project-event.handler';
import { ProjectEventCommand } from './project-event.command';

/** The repository's contract in memory: a record lands only at the version it was read at. */
class InMemoryMypage extends MypageRepository {
  readonly views = new Map<string, { view: BookingView; version: number }>();
  readonly timeline: TimelineEntry[] = [];
  readonly notices: string[] = [];
  records = 0;
  /** Runs between a read and the record that follows it: another consumer's event lands there. */
  beforeRecord?: () => Promise<void>;

  viewForEvent(bookingId: string, eventId: string): Promise<ViewForEvent> {
    const stored = this.views.get(bookingId);
    return Promise.resolve({
      view: stored ? { ...stored.view } : emptyView(bookingId),
      version: stored?.version ?? null,
      recorded: this.timeline.some((entry) => entry.eventId === eventId),
    });
  }

  async record({ view, version, entry, notice }: EventRecord): Promise<boolean> {
    const interleaved = this.beforeRecord;
    this.beforeRecord = undefined;
    await interleaved?.();
    this.records += 1;
    if ((this.views.get(view.bookingId)?.version ?? null) !== version) {
      return false;
    }
    this.views.set(view.bookingId, { view, version: (version ?? 0) + 1 });
    this.timeline.push(entry);
    if (notice) {
      this.notices.push(notice.kind);
    }
    return true;
  }

  findView(): never {
    throw new Error('not used');
  }
  listViews(): never {
    throw new Error('not used');
  }
  listNotices(): never {
    throw new Error('not used');
  }
}

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
    expect(repository.notices).toEqual(['PAID']);
  });

  it('changes nothing for an event already on the timeline', async () => {
    await handler.execute(new ProjectEventCommand(placed));
    await expect(handler.execute(new ProjectEventCommand(placed))).resolves.toBe(false);
    expect(repository.records).toBe(1);
    expect(repository.views.get(bookingId)?.version).toBe(1);
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

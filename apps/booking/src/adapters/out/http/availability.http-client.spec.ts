import { HttpService } from '@nestjs/axios';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import type { AvailabilityQueryV1, AvailabilityV1 } from '@storage/contracts';
import { RentalPeriod } from '@storage/ddd';
import { ResiliencePolicy } from '@storage/resilience';
import type { UnitSize } from '../../../domain';
import { AvailabilityHttpClient } from './availability.http-client';

const TODAY = '2031-03-10';
const NOON = Date.parse(`${TODAY}T12:00:00Z`);

/** storage-assign's /availability as far as this client sees it: free units by the period asked. */
class FakeStorageAssign {
  readonly asked: AvailabilityQueryV1[] = [];
  free: (query: AvailabilityQueryV1) => number = () => 0;
  down = false;
  /** Answers wait for this when set (to line callers up on one request). */
  gate: Promise<void> | null = null;

  readonly adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const query = config.params as AvailabilityQueryV1;
    this.asked.push(query);
    await this.gate;
    if (this.down) {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    }
    const data: AvailabilityV1 = {
      from: query.from,
      to: query.to,
      days: 1,
      sizes: [
        { size: query.size!, totalUnits: 10, freeUnits: this.free(query), dailyRate: 1000, price: 1000 },
      ],
    };
    return { data, status: 200, statusText: 'OK', headers: {}, config };
  };

  /** Asked for units free from today on (as opposed to one booking's period). */
  openCounts(): number {
    return this.asked.filter((query) => query.to === '9999-12-31').length;
  }

  periodAsks(): number {
    return this.asked.length - this.openCounts();
  }
}

function setUp() {
  const storage = new FakeStorageAssign();
  const clock = { now: NOON };
  const client = new AvailabilityHttpClient(new HttpService(axios.create({ adapter: storage.adapter })), {
    baseUrl: 'http://storage-assign.test',
    policy: new ResiliencePolicy({
      dependency: 'storage-assign',
      timeoutMs: 1000,
      retries: 0,
      breakerFailureRate: 0.5,
      breakerMinimumCalls: 100,
      breakerWindowMs: 10_000,
      halfOpenAfterMs: 5000,
      bulkheadLimit: 50,
      bulkheadQueue: 0,
    }),
    now: () => clock.now,
  });
  const look = (size: UnitSize = 'M', from = '2031-06-01', to = '2031-06-08') =>
    client.freeUnits(size, RentalPeriod.of(from, to));
  return { storage, clock, look };
}

describe('AvailabilityHttpClient', () => {
  it('answers from the units free from today on, one per look, without asking for each period', async () => {
    const { storage, look } = setUp();
    storage.free = (query) => (query.to === '9999-12-31' ? 3 : 5);

    expect([await look(), await look(), await look()]).toEqual([3, 2, 1]);
    expect(storage.asked).toEqual([{ size: 'M', from: TODAY, to: '9999-12-31' }]);
  });

  it('counts again once every counted unit is given out, and asks for the period when none is left', async () => {
    const { storage, look } = setUp();
    let open = 1;
    storage.free = (query) => (query.to === '9999-12-31' ? open : 4);

    expect(await look()).toBe(1);
    open = 0;
    expect(await look('M', '2031-07-01', '2031-07-05')).toBe(4);
    expect(storage.asked.slice(1)).toEqual([
      { size: 'M', from: TODAY, to: '9999-12-31' },
      { size: 'M', from: '2031-07-01', to: '2031-07-05' },
    ]);
  });

  it('asks for each period while the count says none, and counts again after a second', async () => {
    const { storage, clock, look } = setUp();
    let open = 0;
    storage.free = (query) => (query.to === '9999-12-31' ? open : 0);

    expect([await look(), await look(), await look()]).toEqual([0, 0, 0]);
    expect([storage.openCounts(), storage.periodAsks()]).toEqual([1, 3]);

    open = 2;
    clock.now += 999;
    expect(await look()).toBe(0);
    clock.now += 1;
    expect(await look()).toBe(2);
    expect([storage.openCounts(), storage.periodAsks()]).toEqual([2, 4]);
  });

  it('keeps sizes apart', async () => {
    const { storage, look } = setUp();
    storage.free = (query) => (query.size === 'S' ? 1 : 0);

    expect(await look('S')).toBe(1);
    expect(await look('L')).toBe(0);
    expect(storage.asked.map((query) => [query.size, query.to])).toEqual([
      ['S', '9999-12-31'],
      ['L', '9999-12-31'],
      ['L', '2031-06-08'],
    ]);
  });

  it('shares one count between the looks that wait for it, and gives each at most one unit', async () => {
    const { storage, look } = setUp();
    storage.free = (query) => (query.to === '9999-12-31' ? 2 : 7);
    let open!: () => void;
    storage.gate = new Promise((resolve) => (open = resolve));

    const looks = Promise.all([look(), look(), look(), look()]);
    open();
    expect((await looks).sort()).toEqual([1, 2, 7, 7]);
    expect([storage.openCounts(), storage.periodAsks()]).toEqual([1, 2]);
  });

  it('asks for the period itself when it starts before the day the units were counted from', async () => {
    const { storage, clock, look } = setUp();
    storage.free = (query) => (query.to === '9999-12-31' ? 5 : 1);
    clock.now = Date.parse('2031-03-11T00:00:00.300Z');
    expect(await look()).toBe(5);

    // A booking checked just before midnight: its period starts on a day the count does not cover.
    expect(await look('M', TODAY, '2031-03-12')).toBe(1);
    expect(storage.asked).toEqual([
      { size: 'M', from: '2031-03-11', to: '9999-12-31' },
      { size: 'M', from: TODAY, to: '2031-03-12' },
    ]);
  });

  it('says it does not know, after one try, when storage-assign does not answer', async () => {
    const { storage, look } = setUp();
    storage.down = true;

    expect(await look()).toBeNull();
    expect(storage.asked).toHaveLength(1);

    storage.down = false;
    storage.free = () => 2;
    expect(await look()).toBe(2);
    expect(storage.openCounts()).toBe(2);
  });
});

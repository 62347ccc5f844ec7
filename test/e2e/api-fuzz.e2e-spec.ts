/**
 * The API fuzzed from its own OpenAPI documents, through the gateway with real tokens, against the
 * real services: several thousand seeded requests (valid ones and hostile mutations of them). It
 * passes only with no 5xx, no hang, every answer's status documented for its operation and its
 * body matching the documented schema, no customer's data in another customer's answers, and
 * every service still ready afterwards.
 *
 * Reproduce a failing run with the seed it prints: FUZZ_SEED=<seed> (FUZZ_REQUESTS sets the size).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { startKafka, type KafkaHandle } from '../../tools/stack/kafka';
import {
  describeRequest,
  operationsOf,
  requestArbitrary,
  ResponseChecker,
  send,
  type Caller,
  type FuzzPools,
  type FuzzRequest,
  type OpenApiSpec,
  type Operation,
} from '../support/api-fuzz';
import { http } from '../support/http';
import {
  uniqueCode,
  uniqueCustomer,
  uniquePeriod,
  type BookingBody,
  type PaymentBody,
} from '../support/rental-api';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const SECRET = 'e2e-internal-secret-0123456789';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = 6;
/**
 * An answer slower than this is a hang: longer than any timeout of the system (the gateway cuts a
 * request after 30 s, a service call after 10 s), so only a request the system lost reaches it.
 */
const HANG_MS = 45_000;

interface Outcome {
  request: FuzzRequest;
  problem?: string;
  leak?: string;
  status?: number;
}

describe(`API fuzzing from the OpenAPI documents (FUZZ_SEED=${SEED})`, () => {
  let system: System;
  let kafka: KafkaHandle;
  let api: string;
  const tokens: Partial<Record<Caller, string>> = {};
  const subjects = { alice: uniqueCustomer('fuzz-alice'), bob: uniqueCustomer('fuzz-bob') };
  const outcomes: Outcome[] = [];
  let operations: Operation[] = [];
  /** It succeeded, or a business rule decided (check-out of a rental not started yet: 409). */
  const reachedUseCase = (operation: Operation) =>
    outcomes.some(
      (outcome) =>
        outcome.request.operation === operation &&
        outcome.status !== undefined &&
        (outcome.status < 300 || outcome.status === 409),
    );

  function authorization(caller: Caller): string | undefined {
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'forged': {
        // A real token with another signature: the gateway must not believe it.
        const [header, payload] = (tokens.staff ?? '').split('.');
        return `Bearer ${header}.${payload}.${'A'.repeat(43)}`;
      }
      case 'malformed':
        return 'Bearer not.a.jwt';
      case 'not-bearer':
        return 'Basic YWxpY2U6c2VjcmV0';
      default:
        return `Bearer ${tokens[caller]}`;
    }
  }

  async function token(subject: string, role: 'customer' | 'staff'): Promise<string> {
    const answer = await http<{ accessToken: string }>('POST', `${system.url('gateway')}/auth/token`, {
      body: { subject, role },
    });
    expect(answer.status).toBe(200);
    return answer.body.accessToken;
  }

  /** Real records of two customers and of staff, so "someone else's id" is a real id. */
  async function seed(): Promise<FuzzPools> {
    const staff = { authorization: authorization('staff') ?? '' };
    const unitIds: string[] = [];
    for (const size of ['S', 'M', 'L']) {
      const unit = await http<{ id: string }>('POST', `${api}/storage-units`, {
        body: { code: uniqueCode(`FZ${size}`), size, dailyRate: 1000 },
        headers: staff,
      });
      expect(unit.status).toBe(201);
      unitIds.push(unit.body.id);
    }
    const period = uniquePeriod(3);
    await waitFor(
      'the new units to be priced',
      () => http('GET', `${api}/quotes?size=L&startDate=${period.startDate}&endDate=${period.endDate}`),
      (answer) => answer.status === 200,
    );
    const bookingIds: string[] = [];
    for (const who of ['alice', 'bob'] as const) {
      const placed = await http<BookingBody>('POST', `${api}/bookings`, {
        body: { size: 'S', ...uniquePeriod(2) },
        headers: { authorization: authorization(who) ?? '' },
      });
      expect(placed.status).toBe(201);
      bookingIds.push(placed.body.id);
    }
    const payments = await http<PaymentBody[]>('GET', `${api}/payments?limit=200`, { headers: staff });
    expect(payments.status).toBe(200);
    const paymentIds = payments.body
      .filter((payment) => bookingIds.includes(payment.bookingId))
      .map((payment) => payment.id);
    expect(paymentIds).toHaveLength(2);
    return { bookingIds, paymentIds, unitIds, customerIds: [subjects.alice, subjects.bob] };
  }

  async function loadOperations(): Promise<{ operations: Operation[]; specs: Record<string, OpenApiSpec> }> {
    const gateway = system.url('gateway');
    const index = await http<{ specs: { name: string; url: string }[]; unavailable: string[] }>(
      'GET',
      `${gateway}/docs/services`,
    );
    expect(index.body.unavailable).toEqual([]);
    const specs: Record<string, OpenApiSpec> = {};
    const found: Operation[] = [];
    for (const { name, url } of index.body.specs) {
      const spec = await http<OpenApiSpec>('GET', `${gateway}${url}`);
      expect(spec.status).toBe(200);
      specs[name] = spec.body;
      // The gateway's own operations are at its root; the services' under /api (their servers).
      const prefix = name === 'gateway' ? '' : '/api';
      found.push(
        ...operationsOf(name, spec.body, prefix).filter((operation) => !operation.path.startsWith('/health')),
      );
    }
    return { operations: found, specs };
  }

  beforeAll(async () => {
    const secret = { INTERNAL_AUTH_SECRET: SECRET };
    // The campaign registers, changes and retires units at random: on a broker and in databases
    // of its own, so no other suite ever meets its units, prices or events.
    const shared = stackInfo();
    kafka = await startKafka({
      dataDir: join(shared.dataDir, `fuzz-kafka-${process.pid}`),
      own: true,
      log: () => undefined,
    });
    system = await System.start({
      label: 'api-fuzz',
      services: ['payment', 'storage-assign', 'booking', 'mypage', 'gateway'],
      infra: { ...shared, brokers: kafka.brokers },
      databasePrefix: 'fuzz',
      env: {
        payment: secret,
        'storage-assign': secret,
        booking: secret,
        mypage: secret,
        // The rate limit is tested elsewhere; here it would only turn the campaign into 429s.
        gateway: { ...secret, RATE_LIMIT_MAX: '1000000' },
      },
    });
    api = `${system.url('gateway')}/api`;
    tokens.alice = await token(subjects.alice, 'customer');
    tokens.bob = await token(subjects.bob, 'customer');
    tokens.staff = await token(uniqueCustomer('fuzz-staff'), 'staff');
    const pools = await seed();
    const loaded = await loadOperations();
    operations = loaded.operations;
    const checker = new ResponseChecker(loaded.specs);

    const perOperation = Math.ceil(REQUESTS / operations.length);
    const requests = operations.flatMap((operation, index) =>
      fc.sample(requestArbitrary(operation, pools), { seed: SEED + index, numRuns: perOperation }),
    );
    process.stdout.write(
      `[fuzz] seed ${SEED}: ${requests.length} requests over ${operations.length} operations\n`,
    );

    const run = async (batch: typeof requests) => {
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const request = batch[next++];
          try {
            const answer = await send(system.url('gateway'), request, authorization(request.caller), HANG_MS);
            const other =
              request.caller === 'alice'
                ? subjects.bob
                : request.caller === 'bob'
                  ? subjects.alice
                  : undefined;
            outcomes.push({
              request,
              status: answer.status,
              problem: checker.problem(request, answer),
              // A record of the other customer's: every customer-owned record (booking, payment,
              // view, notice) names its owner. The other's id elsewhere is not a leak: the fuzzer
              // also sends it as plain values (a payment method), which come back in the caller's
              // own records (seed 1026713859 did exactly that).
              leak:
                other && answer.status < 300 && answer.text.includes(`"customerId":"${other}"`)
                  ? `${request.caller} got ${other}'s data: ${answer.text.slice(0, 200)}`
                  : undefined,
            });
          } catch (error) {
            outcomes.push({ request, problem: `no answer: ${(error as Error).message}` });
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    await run(requests);
    // A fuzzer keeps going until it has coverage: an operation whose use case no request has
    // reached yet (its valid requests are rare: the right caller, an existing id and a valid body
    // together) gets more of the same campaign, a bounded number of rounds. The coverage
    // assertion below is unchanged.
    for (let round = 1; round <= 3; round += 1) {
      const uncovered = operations.filter((operation) => !reachedUseCase(operation));
      if (uncovered.length === 0) break;
      await run(
        uncovered.flatMap((operation) =>
          fc.sample(requestArbitrary(operation, pools), {
            seed: SEED + 1000 * round + operations.indexOf(operation),
            numRuns: perOperation,
          }),
        ),
      );
    }
    for (const operation of operations) {
      const counts = new Map<number | undefined, number>();
      for (const outcome of outcomes.filter((candidate) => candidate.request.operation === operation)) {
        counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      }
      const histogram = [...counts].map(([status, count]) => `${status ?? 'none'}x${count}`).join(' ');
      process.stdout.write(`[fuzz] ${operation.method} ${operation.path}: ${histogram}\n`);
    }
  }, 900_000);

  afterAll(async () => {
    await system?.stop();
    await kafka?.stop();
  });

  const report = (rows: Outcome[], field: 'problem' | 'leak') =>
    rows.slice(0, 15).map((row) => `${row[field]}\n      <- ${describeRequest(row.request)}`);

  it('covers every documented operation with several thousand requests, valid and hostile', () => {
    expect(operations.length).toBeGreaterThanOrEqual(18);
    expect(outcomes.length).toBeGreaterThanOrEqual(REQUESTS);
    const statuses = new Set(outcomes.map((outcome) => outcome.status));
    // The campaign reaches the happy paths and the refusals, not only one of them.
    for (const status of [200, 201, 400, 401, 403, 404]) expect(statuses).toContain(status);
    // Every operation reaches its use case: it succeeds, or a business rule decides (check-out of
    // a rental that has not started is a 409: the campaign's bookings all lie in the future).
    for (const operation of operations) {
      expect({
        operation: `${operation.method} ${operation.path}`,
        reachedUseCase: reachedUseCase(operation),
      }).toEqual({
        operation: `${operation.method} ${operation.path}`,
        reachedUseCase: true,
      });
    }
  });

  it('answers every request, never with a 5xx, always with a documented status and shape', () => {
    const failures = outcomes.filter((outcome) => outcome.problem);
    expect({ seed: SEED, failures: failures.length, first: report(failures, 'problem') }).toEqual({
      seed: SEED,
      failures: 0,
      first: [],
    });
  });

  it("never shows a customer another customer's records", () => {
    const leaks = outcomes.filter((outcome) => outcome.leak);
    expect({ seed: SEED, leaks: report(leaks, 'leak') }).toEqual({ seed: SEED, leaks: [] });
  });

  it('refuses undocumented methods and unknown paths with a 4xx, never a 5xx or a hang', async () => {
    const paths = [...new Set(operations.map((operation) => operation.path))].map((path) =>
      path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
    );
    paths.push(
      '/api',
      '/api/',
      '/api/unknown',
      '/api/bookings/a/b/c/d',
      '/api/%2e%2e/docs',
      '/api//bookings',
    );
    const outcomes: string[] = [];
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE']) {
        const documented = operations.some(
          (operation) =>
            operation.method === method &&
            operation.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000') === path,
        );
        if (documented) continue;
        for (const caller of ['staff', 'alice', 'anonymous'] as const) {
          const request = {
            operation: operations[0],
            caller,
            method,
            target: path,
            headers: {},
          } as FuzzRequest;
          try {
            const answer = await send(system.url('gateway'), request, authorization(caller), HANG_MS);
            if (answer.status >= 500 || (answer.status < 400 && method !== 'OPTIONS' && method !== 'HEAD')) {
              outcomes.push(`${caller} ${method} ${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
            }
          } catch (error) {
            outcomes.push(`${caller} ${method} ${path}: no answer (${(error as Error).message})`);
          }
        }
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('leaves every service ready', async () => {
    for (const name of ['gateway', 'booking', 'payment', 'storage-assign', 'mypage'] as const) {
      const ready = await http('GET', `${system.url(name)}/health/ready`);
      expect({ name, status: ready.status }).toEqual({ name, status: 200 });
    }
  });
});

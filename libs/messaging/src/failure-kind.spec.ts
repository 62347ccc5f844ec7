import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError } from '@storage/ddd';
import { PoisonMessageError } from './event-errors';
import { classifyFailure, probingClassifier } from './failure-kind';

class RuleBroken extends DomainError {
  readonly code = 'RULE_BROKEN';
  readonly status = 422;
}

class BusyRightNow extends DomainError {
  readonly code = 'BUSY';
  readonly status = 503;
  readonly transient = true;
}

function pgError(code: string, message = 'driver error'): Error {
  return Object.assign(new Error(message), { code });
}

/** TypeORM's QueryFailedError keeps the driver's error as driverError and copies its code. */
function queryFailed(driverError: Error): Error {
  return Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });
}

describe('classifyFailure', () => {
  it('treats contract violations as poison', () => {
    expect(classifyFailure(new PoisonMessageError('Invalid payload', ['size: bad']))).toBe('poison');
  });

  it('treats a broken business rule as a permanent rejection', () => {
    expect(classifyFailure(new RuleBroken('no'))).toBe('rejected');
  });

  it('lets an error declare itself transient, domain errors included', () => {
    expect(classifyFailure(new BusyRightNow('later'))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('contended'), { transient: true }))).toBe('transient');
  });

  it.each(['08006', '08001', '57P01', '57P03', '53300', '25006', '28P01', '28000', '3D000'])(
    'sees SQLSTATE %s as the database being unavailable',
    (code) => {
      expect(classifyFailure(queryFailed(pgError(code)))).toBe('database-unavailable');
    },
  );

  it.each(['40001', '40P01', '55P03', '57014', '23P01'])(
    'sees SQLSTATE %s as transient contention',
    (code) => {
      expect(classifyFailure(queryFailed(pgError(code)))).toBe('transient');
    },
  );

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])(
    'sees %s as the database being unavailable',
    (code) => {
      expect(classifyFailure(pgError(code, `connect ${code} 127.0.0.1:5432`))).toBe('database-unavailable');
    },
  );

  it('sees a Unix socket gone (a stopped server removes it) as the database being unavailable', async () => {
    const missing = join(tmpdir(), `no-server-${process.pid}`, '.s.PGSQL.5432');
    const failure = await new Promise<unknown>((resolve) => {
      const socket = connect(missing);
      socket.once('connect', () => resolve(undefined));
      socket.once('error', resolve);
    });
    expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'connect' });
    expect(classifyFailure(failure)).toBe('database-unavailable');
  });

  it.each(['EAGAIN', 'EADDRNOTAVAIL', 'EMFILE', 'ENFILE'])(
    'sees %s on connect (a full backlog, no local port or descriptor left) as unavailable, and not elsewhere',
    (code) => {
      expect(classifyFailure(Object.assign(pgError(code), { syscall: 'connect' }))).toBe(
        'database-unavailable',
      );
      expect(classifyFailure(Object.assign(pgError(code), { syscall: 'open' }))).toBe('unknown');
      expect(classifyFailure(pgError(code))).toBe('unknown');
    },
  );

  it('does not take a missing file for the database: ENOENT outside a connect is a bug', async () => {
    const failure = await readFile(join(tmpdir(), `missing-${process.pid}.json`)).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect(classifyFailure(failure)).toBe('unknown');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'terminating connection due to administrator command',
  ])('sees pg saying "%s" as the database being unavailable', (message) => {
    expect(classifyFailure(new Error(message))).toBe('database-unavailable');
  });

  it("sees TypeORM's statement on a connection dropped mid-transaction as the database being unavailable", () => {
    expect(classifyFailure(new QueryRunnerProviderAlreadyReleasedError())).toBe('database-unavailable');
    expect(classifyFailure(new QueryRunnerAlreadyReleasedError())).toBe('database-unavailable');
  });

  it('finds the cause behind wrappers', () => {
    const wrapped = new Error('use case failed', { cause: queryFailed(pgError('57P01')) });
    expect(classifyFailure(wrapped)).toBe('database-unavailable');
  });

  it('treats broker errors as transient', () => {
    const error = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    expect(classifyFailure(error)).toBe('transient');
  });

  it('calls everything else unknown, unique violations included (a deterministic one is a bug)', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('unknown');
    expect(classifyFailure(queryFailed(pgError('23505', 'duplicate key')))).toBe('unknown');
    expect(classifyFailure('a string')).toBe('unknown');
    expect(classifyFailure(undefined)).toBe('unknown');
  });
});

describe('probingClassifier', () => {
  /** A probe that counts its calls and answers as told, after a turn of the event loop. */
  function probe(up: boolean): { run: () => Promise<void>; calls: () => number } {
    let calls = 0;
    return {
      run: () => {
        calls += 1;
        return new Promise((resolve, reject) =>
          setImmediate(() => (up ? resolve() : reject(new Error('connect ECONNREFUSED')))),
        );
      },
      calls: () => calls,
    };
  }

  it('takes an unknown failure for the outage while the probe fails, and for a bug while it answers', async () => {
    const strange = new Error('pg: the server went away in an unforeseen way');
    const down = probe(false);
    expect(await probingClassifier(down.run)(strange)).toBe('database-unavailable');
    const up = probe(true);
    expect(await probingClassifier(up.run)(strange)).toBe('unknown');
    expect([down.calls(), up.calls()]).toEqual([1, 1]);
  });

  it('asks the probe nothing about failures a rule knows', async () => {
    const down = probe(false);
    const classify = probingClassifier(down.run);
    expect(await classify(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(
      'transient',
    );
    expect(await classify(new PoisonMessageError('Invalid payload', []))).toBe('poison');
    expect(await classify(new RuleBroken('never'))).toBe('rejected');
    expect(await classify(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      'database-unavailable',
    );
    expect(down.calls()).toBe(0);
  });

  it('shares one probe among concurrent failures, and probes afresh for the next', async () => {
    const down = probe(false);
    const classify = probingClassifier(down.run);
    const kinds = await Promise.all(Array.from({ length: 20 }, () => classify(new Error('odd'))));
    expect(new Set(kinds)).toEqual(new Set(['database-unavailable']));
    expect(down.calls()).toBe(1);
    await classify(new Error('odd'));
    expect(down.calls()).toBe(2);
  });
});

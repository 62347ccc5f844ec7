import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log';

describe('kafkaLogCreator', () => {
  const levels = ['error', 'warn', 'log', 'debug'] as const;
  let spies: Record<(typeof levels)[number], jest.SpyInstance>;

  beforeEach(() => {
    spies = Object.fromEntries(
      levels.map((level) => [level, jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined)]),
    ) as typeof spies;
  });
  afterEach(() => jest.restoreAllMocks());

  const write = kafkaLogCreator('KafkaProducer')(logLevel.WARN);

  it("writes kafkajs' message as the line's msg and what it knows as fields, not as text", () => {
    write({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: '2026-12-07T10:15:40.972Z',
        logger: 'kafkajs',
        message: 'Crash: KafkaJSNumberOfRetriesExceeded',
        groupId: 'booking',
        retryCount: 5,
        stack: 'KafkaJSNumberOfRetriesExceeded: ...',
      },
    });
    expect(spies.error).toHaveBeenCalledTimes(1);
    expect(spies.error.mock.calls[0]).toEqual([
      {
        msg: 'Crash: KafkaJSNumberOfRetriesExceeded',
        kafkajs: 'Consumer',
        groupId: 'booking',
        retryCount: 5,
        stack: 'KafkaJSNumberOfRetriesExceeded: ...',
      },
    ]);
  });

  it.each(['Connection', 'BrokerPool'])(
    'reports a lost or refused connection (%s), which kafkajs retries itself, as a warning',
    (namespace) => {
      write({
        namespace,
        level: logLevel.ERROR,
        label: 'ERROR',
        log: {
          timestamp: '2026-12-07T10:15:40.972Z',
          logger: 'kafkajs',
          message: 'Connection error: connect ECONNREFUSED 127.0.0.1:19092',
          broker: '127.0.0.1:19092',
          clientId: 'payment-producer',
        },
      });
      expect(spies.error).not.toHaveBeenCalled();
      expect(spies.warn).toHaveBeenCalledWith({
        msg: 'Connection error: connect ECONNREFUSED 127.0.0.1:19092',
        kafkajs: namespace,
        broker: '127.0.0.1:19092',
        clientId: 'payment-producer',
      });
    },
  );

  it('keeps the other levels as kafkajs gave them', () => {
    const entry = (level: logLevel) => ({
      namespace: 'Runner',
      level,
      label: '',
      log: { timestamp: '', message: `at ${level}` },
    });
    write(entry(logLevel.WARN));
    write(entry(logLevel.INFO));
    write(entry(logLevel.DEBUG));
    expect(spies.warn).toHaveBeenCalledWith({ msg: `at ${logLevel.WARN}`, kafkajs: 'Runner' });
    expect(spies.log).toHaveBeenCalledWith({ msg: `at ${logLevel.INFO}`, kafkajs: 'Runner' });
    expect(spies.debug).toHaveBeenCalledWith({ msg: `at ${logLevel.DEBUG}`, kafkajs: 'Runner' });
  });
});

import { Logger } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/**
 * Where kafkajs reports a connection it lost or could not open. It retries those itself (each
 * client has its retry budget), and the code that gives up says so in its own words (the relay's
 * publish, the consumer's restart), so one broker restart is not a run of error lines to page on.
 */
const RETRIED_BY_KAFKAJS = new Set(['Connection', 'BrokerPool']);

/**
 * kafkajs' log entries as the services' own JSON lines: its message as the line's `msg`, and what
 * it knows (broker, clientId, retryCount, error, stack...) as fields an operator can filter on.
 * Nest's default printed all of it as text inside the message ("ERROR [BrokerPool] ... {json}").
 */
export function kafkaLogCreator(context: string): logCreator {
  const logger = new Logger(context);
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // kafkajs' own timestamp and name say nothing the line does not already.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const line = { msg: message, kafkajs: namespace, ...fields };
      if (level === logLevel.ERROR && !RETRIED_BY_KAFKAJS.has(namespace)) {
        logger.error(line);
      } else if (level <= logLevel.WARN) {
        logger.warn(line);
      } else if (level === logLevel.INFO) {
        logger.log(line);
      } else {
        logger.debug(line);
      }
    };
}

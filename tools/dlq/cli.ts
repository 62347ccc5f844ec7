/**
 * `npm run dlq -- <command>`: the dead-letter topics, for operators.
 *
 *   list [--topic T] [--all]                 pending messages (--all: replayed and discarded too)
 *   show <[partition:]offset> [--topic T]    one message: headers, reason, age, pretty payload
 *   replay [--topic T] (--all | --offset O[,O...]) [--dry-run]
 *                                            publish again to the source topic, mark replayed
 *   discard [--topic T] (--all | --offset O[,O...]) [--dry-run]
 *                                            mark dealt with, publish nothing
 *
 * Brokers come from KAFKA_BROKERS (default: the one `npm start` runs, 127.0.0.1:19092). Offsets
 * are `partition:offset`, or a bare offset when only one partition has it.
 */
import 'reflect-metadata';
import { DEAD_LETTER_TOPICS, DeadLetterQueue, type DeadLetter } from './dead-letters';

interface Options {
  command: string;
  positional: string[];
  topic?: string;
  all: boolean;
  offsets: string[];
  dryRun: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): Options {
  const options: Options = {
    command: argv[0] ?? 'help',
    positional: [],
    all: false,
    offsets: [],
    dryRun: false,
  };
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[(i += 1)];
      if (next === undefined) {
        throw new UsageError(`${arg} needs a value`);
      }
      return next;
    };
    if (arg === '--topic') {
      options.topic = value();
    } else if (arg === '--all') {
      options.all = true;
    } else if (arg === '--offset') {
      options.offsets.push(...value().split(',').filter(Boolean));
    } else if (arg === '--dry-run') {
      options.dryRun = true;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}`);
    } else {
      options.positional.push(arg);
    }
  }
  return options;
}

function topicsOf(options: Options): string[] {
  if (!options.topic) {
    return DEAD_LETTER_TOPICS;
  }
  const topic = options.topic.endsWith('.dlq') ? options.topic : `${options.topic}.dlq`;
  if (!DEAD_LETTER_TOPICS.includes(topic)) {
    throw new UsageError(`Unknown topic ${options.topic}; one of ${DEAD_LETTER_TOPICS.join(', ')}`);
  }
  return [topic];
}

function age(since: Date): string {
  const seconds = Math.max(0, Math.round((Date.now() - since.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/**
 * Each reference exactly `offset` or `partition:offset`, all checked before the queue is read: a
 * typo such as 1:2:3 must not act on 1:2, nor a list act on the references before a bad one.
 */
function checked(references: string[]): string[] {
  const bad = references.find((reference) => !/^(\d+:)?\d+$/.test(reference));
  if (bad !== undefined) {
    throw new UsageError(`Not a [partition:]offset: ${bad}`);
  }
  return references;
}

function select(letters: DeadLetter[], references: string[]): DeadLetter[] {
  return references.map((reference) => {
    const [partition, offset] = reference.includes(':') ? reference.split(':') : [undefined, reference];
    const found = letters.filter(
      (letter) =>
        letter.offset === offset && (partition === undefined || String(letter.partition) === partition),
    );
    if (found.length === 0) {
      throw new UsageError(`No dead letter at ${reference}`);
    }
    if (found.length > 1) {
      throw new UsageError(
        `Offset ${reference} is in several partitions or topics (${found.map((letter) => `${letter.topic} ${letter.partition}:${letter.offset}`).join(', ')}); use partition:offset and --topic`,
      );
    }
    return found[0];
  });
}

function line(letter: DeadLetter): string {
  return [
    `${letter.topic} ${letter.partition}:${letter.offset}`,
    letter.state,
    `age ${age(letter.failedAt)}`,
    `kind ${letter.kind}`,
    `type ${letter.headers['event-type'] ?? '?'}`,
    `key ${letter.key ?? '-'}`,
    `from ${letter.originalTopic}`,
    `reason: ${letter.reason}`,
  ].join('  ');
}

export async function run(argv: string[], print: (text: string) => void, brokers: string[]): Promise<void> {
  const options = parseArgs(argv);
  const queue = new DeadLetterQueue(brokers);
  switch (options.command) {
    case 'list': {
      const letters = (await queue.read(topicsOf(options))).filter(
        (letter) => options.all || letter.state === 'pending',
      );
      letters.forEach((letter) => print(line(letter)));
      print(`${letters.length} ${options.all ? '' : 'pending '}dead letter(s)`);
      return;
    }
    case 'show': {
      const reference = options.positional[0];
      if (!reference) {
        throw new UsageError('show needs an offset');
      }
      const [letter] = select(await queue.read(topicsOf(options)), checked([reference]));
      print(line(letter));
      print('headers:');
      Object.entries(letter.headers).forEach(([name, value]) => print(`  ${name}: ${value}`));
      print('value:');
      try {
        print(JSON.stringify(JSON.parse(letter.value ?? 'null'), null, 2));
      } catch {
        print(letter.value ?? '(null)');
      }
      return;
    }
    case 'replay':
    case 'discard': {
      if (!options.all && options.offsets.length === 0) {
        throw new UsageError(`${options.command} needs --all or --offset`);
      }
      const references = checked(options.offsets);
      const letters = await queue.read(topicsOf(options));
      const chosen = options.all
        ? letters.filter((letter) => letter.state === 'pending')
        : select(letters, references);
      const done = chosen.filter((letter) => letter.state !== 'pending');
      if (done.length > 0) {
        throw new UsageError(
          `Already ${done[0].state}: ${done[0].topic} ${done[0].partition}:${done[0].offset}`,
        );
      }
      chosen.forEach((letter) =>
        print(`${options.dryRun ? 'would ' : ''}${options.command} ${line(letter)}`),
      );
      if (!options.dryRun) {
        await (options.command === 'replay' ? queue.replay(chosen) : queue.discard(chosen));
      }
      print(
        `${chosen.length} dead letter(s) ${options.dryRun ? 'would be ' : ''}${options.command === 'replay' ? 'replayed' : 'discarded'}`,
      );
      return;
    }
    default:
      throw new UsageError(
        'usage: npm run dlq -- list [--topic T] [--all] | show <[partition:]offset> [--topic T] | replay|discard [--topic T] (--all | --offset O[,O]) [--dry-run]',
      );
  }
}

if (require.main === module) {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',').map((broker) => broker.trim());
  run(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`), brokers).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}

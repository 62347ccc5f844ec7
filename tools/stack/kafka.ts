import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { waitUntil } from '../../test/support/wait-for';
import { freezeFor } from './processes';
import { hasExited, UnaskedExits } from './infra-supervision';
import { preferredPort } from './ports';

const ROOT = resolve(__dirname, '..', '..');
const POM = join(ROOT, 'tools', 'kafka', 'pom.xml');

export interface KafkaHandle {
  brokers: string;
  external: boolean;
  stop(): Promise<void>;
  /** Stops and restarts the same broker (same ports and data): used by fault tests. */
  restart?(): Promise<void>;
  /** Freezes the broker for `ms` (see freezeFor): used by fault tests. */
  freeze?(ms: number): Promise<void>;
  /** The broker exited without being asked (see infra-supervision.ts). */
  onUnexpectedExit?(listener: (how: string) => void): void;
}

function requireTool(command: string, args: string[], hint: string): void {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} is needed to run the local Kafka broker. ${hint}`);
  }
}

/** What Maven's transfer log says it fetched: `Downloaded from central: <url> (5.9 MB at 3.1 MB/s)`. */
const DOWNLOADED = /^Downloaded from [^:]+: (\S+) \(([\d.]+) (B|kB|MB|GB)/;
const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/**
 * Resolves the broker's jars once through Maven into a cache keyed by the pom's content. The first
 * run downloads tens of megabytes: each jar is named as it arrives, with a running total, so a first
 * `npm start` or `npm test` does not sit silent for a minute.
 */
export async function ensureKafkaJars(log: (line: string) => void): Promise<string> {
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 12);
  const libs = join(ROOT, '.cache', 'kafka', `libs-${pomHash}`);
  if (existsSync(join(libs, '.complete'))) {
    return libs;
  }
  requireTool(
    'java',
    ['-version'],
    'Install JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`) or set KAFKA_BROKERS.',
  );
  requireTool('mvn', ['-v'], 'Install Maven (e.g. `apt-get install maven`) or set KAFKA_BROKERS.');
  log(
    'Resolving Apache Kafka jars with Maven (first run only: the broker and its libraries from Maven Central)...',
  );
  const staging = `${libs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  const child = spawn(
    'mvn',
    [
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  let files = 0;
  let bytes = 0;
  const read = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      output.push(line);
      const fetched = DOWNLOADED.exec(line.replace(/^\[INFO\]\s*/, ''));
      if (fetched) {
        files += 1;
        bytes += Number(fetched[2]) * UNIT_BYTES[fetched[3]];
        if (fetched[1].endsWith('.jar')) {
          const name = fetched[1].slice(fetched[1].lastIndexOf('/') + 1);
          log(
            `  fetched ${name} (${fetched[2]} ${fetched[3]}; ${files} files, ${(bytes / 1e6).toFixed(1)} MB so far)`,
          );
        }
      }
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) {
    process.stderr.write(`${output.slice(-40).join('\n')}\n`);
    throw new Error('Maven could not resolve the Kafka jars (see its output above).');
  }
  writeFileSync(join(staging, '.complete'), new Date().toISOString());
  renameSync(staging, libs);
  log(`Kafka jars ready (${files} files downloaded, ${(bytes / 1e6).toFixed(1)} MB).`);
  return libs;
}

function serverProperties(
  dataDir: string,
  brokerPort: number,
  controllerPort: number,
  partitions: number,
): string {
  return [
    'node.id=1',
    'process.roles=broker,controller',
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `log.dirs=${join(dataDir, 'logs')}`,
    `num.partitions=${partitions}`,
    // Topics are created explicitly by the services, with their dead-letter twins.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    'log.segment.bytes=67108864',
    // Threads for a broker with a few dozen connections on a small machine, not the defaults' 3
    // network, 8 request and 10 background threads: each idle one wakes every 300 ms to poll. An
    // idle broker used 3.3-3.7 % of a core instead of 4.8-4.9 % (load benches, 2 cores); its CPU
    // per booking under load did not change.
    'num.network.threads=1',
    'num.io.threads=2',
    'background.threads=2',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

async function brokerAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'stack-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface StartKafkaOptions {
  dataDir: string;
  brokerPort?: number;
  controllerPort?: number;
  partitions?: number;
  log: (line: string) => void;
  /** Always start an own broker, even when KAFKA_BROKERS names one (fault tests stop it). */
  own?: boolean;
}

/**
 * A real single-node Apache Kafka 3.9 in KRaft combined mode, run from Maven-resolved jars as a
 * child process; or the broker named by KAFKA_BROKERS, in which case nothing is started.
 */
export async function startKafka(options: StartKafkaOptions): Promise<KafkaHandle> {
  const external = options.own ? undefined : process.env.KAFKA_BROKERS;
  if (external) {
    await waitUntil(`Kafka at ${external}`, () => brokerAnswers(external.split(',')[0]), {
      timeoutMs: 30_000,
    });
    return { brokers: external, external: true, stop: () => Promise.resolve() };
  }
  const libs = await ensureKafkaJars(options.log);
  mkdirSync(options.dataDir, { recursive: true });
  const brokerPort = await preferredPort(options.brokerPort);
  let controllerPort = await preferredPort(options.controllerPort);
  if (controllerPort === brokerPort) {
    controllerPort = await preferredPort(undefined);
  }
  const propertiesFile = join(options.dataDir, 'server.properties');
  writeFileSync(
    propertiesFile,
    serverProperties(options.dataDir, brokerPort, controllerPort, options.partitions ?? 6),
  );
  writeFileSync(join(options.dataDir, 'log4j.properties'), LOG4J);
  const classpath = `${libs}/*`;
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];
  const log4j = `-Dlog4j.configuration=file:${join(options.dataDir, 'log4j.properties')}`;

  if (!existsSync(join(options.dataDir, 'logs', 'meta.properties'))) {
    // KRaft cluster ids are 16 random bytes in URL-safe base64 without padding.
    const clusterId = randomBytes(16).toString('base64url');
    const format = spawnSync(
      'java',
      [
        ...jvm,
        log4j,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        // The '=' form: a random id may start with '-', which would otherwise read as an option.
        `--cluster-id=${clusterId}`,
        '-c',
        propertiesFile,
        '--ignore-formatted',
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      throw new Error(`Formatting Kafka storage failed:\n${format.stdout}\n${format.stderr}`);
    }
  }

  const brokers = `127.0.0.1:${brokerPort}`;
  const logFile = join(options.dataDir, 'kafka.log');
  let child: ChildProcess | undefined;
  const exits = new UnaskedExits();
  const launch = async () => {
    const out = createWriteStream(logFile, { flags: 'a' });
    child = spawn('java', [...jvm, log4j, '-cp', classpath, 'kafka.Kafka', propertiesFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const running = child;
    await waitUntil(
      `Kafka on ${brokers} (log: ${logFile})`,
      async () => {
        if (hasExited(running)) {
          throw new Error(
            `Kafka exited (${running.signalCode ?? `code ${running.exitCode}`}); see ${logFile}`,
          );
        }
        return brokerAnswers(brokers);
      },
      { timeoutMs: 120_000, intervalMs: 300 },
    ).catch((error: unknown) => {
      running.kill('SIGKILL');
      throw error;
    });
    exits.watch(running);
  };
  const stop = async () => {
    exits.stopAsked();
    const running = child;
    // Gone already: its 'exit' came and went.
    if (!running || hasExited(running)) {
      return;
    }
    const exited = new Promise<void>((done) => running.once('exit', () => done()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    brokers,
    external: false,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    freeze: async (ms) => {
      const running = child;
      if (running?.pid === undefined || hasExited(running)) {
        throw new Error('The broker is not running');
      }
      await freezeFor([running.pid], ms);
    },
    onUnexpectedExit: exits.onUnexpectedExit,
  };
}

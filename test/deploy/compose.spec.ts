/**
 * docker-compose.yml, checked without a Docker engine: parsed like Compose parses it (YAML merge
 * keys, ${VAR:-default} interpolation), validated against the Compose Specification subset in
 * compose.schema.json, and checked for what makes `docker compose up` the same system as
 * `npm start`: real Kafka (KRaft) and Postgres, one database per service, healthchecks on
 * readiness, start order by health, and an environment each service's own config accepts.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { configProblems, loadAppConfigSchema, type AppConfigSchema } from './support/app-config';
import { componentName, Rendered } from './support/chart';
import {
  DEFAULT_GATEWAY_METRICS_PORT,
  DEFAULT_PORTS,
  SERVICE_NAMES,
  serviceEnv,
} from '../../tools/stack/services';
import { APP_NAMES, readRepoFile, repoPath } from './support/repo';
import composeSchema from './compose.schema.json';

interface Healthcheck {
  test: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  ports?: string[];
  volumes?: string[];
  entrypoint?: string[];
  restart?: string;
  tmpfs?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
  profiles?: string[];
}

interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's interpolation with an empty shell environment: ${VAR:-default} and ${VAR-default}
 * give their default, ${VAR} nothing, and $$ is a literal $.
 */
function interpolate(value: unknown, env: Record<string, string> = {}): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
        if (whole === '$$') return '$';
        const name = braced ?? bare ?? '';
        const current = env[name];
        const missing = current === undefined || (colon === ':' && current === '');
        if (operator === '-') return missing ? (argument ?? '') : current;
        if (operator === '?' && missing) throw new Error(`${name} is required: ${argument}`);
        return current ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)]));
  }
  return value;
}

/** Seconds of a Compose duration such as 1m30s. */
function seconds(duration: string | undefined): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return [...(duration ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce(
    (total, [, amount, unit]) => total + Number(amount) * units[unit],
    0,
  );
}

/** Compose's merge of an override file: mappings merge by key, sequences are appended. */
function merge(base: unknown, override: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(override)) {
    return [...new Set<unknown>([...(base as unknown[]), ...(override as unknown[])])];
  }
  if (base && override && typeof base === 'object' && typeof override === 'object') {
    const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(override)) merged[key] = merge(merged[key], value);
    return merged;
  }
  return override === undefined ? base : override;
}

/** What a user must give the default file: their identity provider (nothing else). */
const IDENTITY_PROVIDER = {
  JWKS_URL: 'https://idp.example.com/realms/storage/protocol/openid-connect/certs',
  JWT_ISSUER: 'https://idp.example.com/realms/storage',
};

const raw = parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
const rawDev = parse(readRepoFile('docker-compose.dev.yml'), { merge: true }) as ComposeFile;
const compose = interpolate(raw, IDENTITY_PROVIDER) as ComposeFile;
/** `docker compose up` with no settings at all. */
const bare = interpolate(raw) as ComposeFile;
/** `docker compose -f docker-compose.yml -f docker-compose.dev.yml up`, no settings. */
const dev = merge(bare, interpolate(rawDev)) as ComposeFile;
const service = (name: string, file: ComposeFile = compose): ComposeService => {
  const found = file.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** The `secrets` step's files, as it would write them: every `*_FILE` path gets a value. */
const secretsDir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
const secretFile = (path: string): string => {
  const local = join(secretsDir, path.replace(/\//g, '_'));
  writeFileSync(local, `generated-${path.length}-0123456789abcdef`);
  return local;
};

/**
 * A service's environment; a key without a value is passed from the shell only when set there.
 * `*_FILE` paths point at files the test wrote, as the `secrets` step writes them in Compose.
 */
const envOf = (name: string, file: ComposeFile = compose): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name, file).environment ?? {})
      .filter(([, value]) => value !== null)
      .map(([key, value]) => [key, String(value)])
      .map(([key, value]) => [key, key.endsWith('_FILE') ? secretFile(value) : value]),
  );
/** The environment as written in the file, `*_FILE` paths unchanged. */
const declaredEnv = (name: string, file: ComposeFile = compose): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name, file).environment ?? {}).map(([key, value]) => [key, String(value ?? '')]),
  );
/** Variables passed through from the shell (no value in the file): they must be known settings. */
const passedThrough = (name: string): string[] =>
  Object.entries(service(name).environment ?? {})
    .filter(([, value]) => value === null)
    .map(([key]) => key);

// helm runs as a child process; leave room for a busy machine. (Jest 29 ignores a testTimeout
// set on a project in jest.config.js, so it is set here.)
jest.setTimeout(60_000);

const appSchemas = new Map<string, AppConfigSchema>();
beforeAll(async () => {
  for (const app of APP_NAMES) appSchemas.set(app, await loadAppConfigSchema(app));
});
const schemaOf = (app: string): AppConfigSchema => {
  const schema = appSchemas.get(app);
  if (!schema) throw new Error(`no config schema loaded for ${app}`);
  return schema;
};

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification (the subset it uses), and so is the dev override', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(composeSchema);
    for (const file of [raw, rawDev]) {
      const valid = validate(file);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it('rejects keys the specification does not have (the schema is strict)', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(composeSchema);
    const typo = {
      services: { kafka: { image: 'apache/kafka:3.9.1', healthchek: { test: ['CMD', 'true'] } } },
    };
    expect(validate(typo)).toBe(false);
    const badCondition = { services: { a: { image: 'a', depends_on: { b: { condition: 'healthy' } } } } };
    expect(validate(badCondition)).toBe(false);
  });

  it('runs exactly Kafka, Postgres, the secrets step and the applications of the monorepo', () => {
    const byDefault = Object.entries(compose.services).filter(([, candidate]) => !candidate.profiles);
    expect(byDefault.map(([name]) => name).sort()).toEqual(
      [...APP_NAMES, 'kafka', 'postgres', 'secrets'].sort(),
    );
    const optional = Object.entries(compose.services).filter(([, candidate]) => candidate.profiles);
    expect(optional.map(([name, candidate]) => [name, candidate.profiles])).toEqual([
      ['prometheus', ['observability']],
      ['grafana', ['observability']],
      ['jaeger', ['observability']],
    ]);
    // The override only adds to services of the main file.
    expect(Object.keys(rawDev.services).filter((name) => !(name in raw.services))).toEqual([]);
  });

  it('runs Apache Kafka 3.9 as a single KRaft node with topic auto-creation off', () => {
    const kafka = service('kafka');
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    const env = envOf('kafka');
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(new RegExp(`^${env.KAFKA_NODE_ID}@`));
    expect(Object.keys(env).filter((name) => name.includes('ZOOKEEPER'))).toEqual([]);
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    // A single broker can hold one replica of the internal topics.
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    // A KRaft cluster id is 16 bytes in base64url; a fixed one keeps the data volume valid.
    expect(Buffer.from(env.CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(kafka.volumes).toContainEqual(
      expect.stringMatching(new RegExp(`^[\\w-]+:${env.KAFKA_LOG_DIRS}$`)),
    );
    const healthcheck = [kafka.healthcheck?.test ?? []].flat().join(' ');
    expect(healthcheck).toContain('kafka-broker-api-versions.sh --bootstrap-server localhost:9092');
  });

  it('advertises to the containers the broker address the services are given', () => {
    const env = envOf('kafka');
    const advertised = env.KAFKA_ADVERTISED_LISTENERS.split(',');
    for (const app of APP_NAMES.filter((candidate) => schemaOf(candidate).isDataService)) {
      expect(advertised).toContain(`PLAINTEXT://${envOf(app).KAFKA_BROKERS}`);
    }
  });

  it('runs Postgres 17 on a volume with an init script creating one database per service', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:17(\.\d+)?$/);
    expect(postgres.volumes).toContainEqual(expect.stringMatching(/^[\w-]+:\/var\/lib\/postgresql\/data$/));
    const init = (postgres.volumes ?? []).find((volume) => volume.includes(':/docker-entrypoint-initdb.d/'));
    expect(init).toBeDefined();
    const initFile = (init ?? '').split(':')[0];
    expect(existsSync(repoPath(initFile))).toBe(true);
    const created = [...readRepoFile(initFile).matchAll(/^CREATE DATABASE (\w+);$/gm)]
      .map(([, name]) => name)
      .sort();
    const used = APP_NAMES.filter((app) => schemaOf(app).isDataService)
      .map((app) => new URL(envOf(app).DATABASE_URL).pathname.slice(1))
      .sort();
    expect(created).toEqual(used);
    expect(new Set(used).size).toBe(4);
    // Over TCP: the init phase listens on the Unix socket only.
    expect([postgres.healthcheck?.test].flat().join(' ')).toMatch(/pg_isready -h 127\.0\.0\.1/);
  });

  it('declares every named volume it mounts', () => {
    const named = Object.values(compose.services)
      .flatMap((candidate) => candidate.volumes ?? [])
      .map((volume) => volume.split(':')[0])
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect(named.length).toBeGreaterThan(0);
    for (const volume of named) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('starts a service only once what it depends on is healthy (or, for the secrets step, done)', () => {
    for (const [name, candidate] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(candidate.depends_on ?? {})) {
        if (dependency === 'secrets') {
          expect({ name, condition }).toEqual({ name, condition: 'service_completed_successfully' });
          expect(service(dependency).restart).toBe('no');
          continue;
        }
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        expect(service(dependency).healthcheck).toBeDefined();
      }
    }
  });

  describe.each(APP_NAMES)('%s', (app) => {
    it('is built from the Dockerfile with APP set to its name', () => {
      const { build, image } = service(app);
      expect(build?.context).toBe('.');
      expect(build?.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      expect(build?.args).toEqual({ APP: app });
      expect(image).toMatch(new RegExp(`^storage-rental/${app}:[\\w.-]+$`));
    });

    it('is healthy only when /health/ready answers on its PORT', () => {
      const { healthcheck } = service(app);
      const test = healthcheck?.test as string[];
      expect(test[0]).toBe('CMD');
      const command = test.slice(1).join(' ');
      expect(command).toContain('/health/ready');
      expect(command).toContain('process.env.PORT');
      expect(seconds(healthcheck?.timeout)).toBeLessThan(seconds(healthcheck?.interval) + 1);
      // Topic creation and migrations happen before the service listens.
      expect(seconds(healthcheck?.start_period)).toBeGreaterThanOrEqual(60);
    });

    it('starts with an environment its own config validation accepts', () => {
      expect(configProblems(schemaOf(app), envOf(app))).toEqual([]);
      for (const variable of passedThrough(app)) {
        expect({ variable, known: schemaOf(app).knownVariables.has(variable) }).toEqual({
          variable,
          known: true,
        });
      }
    });

    it('listens on its usual port; only the gateway is published, the rest on loopback with the dev override', () => {
      const port = schemaOf(app).defaultPort;
      expect(envOf(app).PORT).toBe(String(port));
      if (app === 'gateway') {
        expect(service(app).ports).toEqual([`${port}:${port}`]);
      } else {
        expect(service(app).ports).toBeUndefined();
        expect(service(app, dev).ports).toEqual([`127.0.0.1:${port}:${port}`]);
      }
    });

    it('waits for Postgres and Kafka when it owns data, and for nothing it only calls', () => {
      const dependencies = Object.keys(service(app).depends_on ?? {}).sort();
      if (app === 'gateway') {
        expect(dependencies).toEqual([...APP_NAMES.filter((name) => name !== 'gateway'), 'secrets'].sort());
      } else if (schemaOf(app).isDataService) {
        // booking calls payment and storage-assign at request time and copes when they are down.
        expect(dependencies).toEqual(['kafka', 'postgres', 'secrets']);
      } else {
        expect(dependencies).toEqual(['secrets']);
      }
    });

    it('reaches Postgres without a password in the URL and other services by their compose names', () => {
      const env = envOf(app);
      if (schemaOf(app).isDataService) {
        const url = new URL(env.DATABASE_URL);
        expect(url.hostname).toBe('postgres');
        expect(url.password).toBe('');
        expect(declaredEnv(app).PGPASSWORD_FILE).toBe(declaredEnv('postgres').POSTGRES_PASSWORD_FILE);
        expect(url.username).toBe(envOf('postgres').POSTGRES_USER);
      }
      // <SERVICE>_URL variables (e.g. PAYMENT_URL) name another service of this file, at its PORT.
      const upstreams = Object.entries(env)
        .map(([key, value]) => ({
          target: key.replace(/_URL$/, '').toLowerCase().replace(/_/g, '-'),
          key,
          value,
        }))
        .filter(({ key, target }) => key.endsWith('_URL') && APP_NAMES.includes(target));
      for (const { target, value } of upstreams) {
        const url = new URL(value);
        expect(url.hostname).toBe(target);
        expect(url.port).toBe(envOf(target).PORT);
      }
      // Every service but mypage calls another (payment and storage-assign: booking, to reconcile).
      expect(upstreams.length > 0).toBe(app !== 'mypage');
    });

    it('runs read-only, without capabilities, and has time to drain on stop', () => {
      const candidate = service(app);
      expect(candidate.read_only).toBe(true);
      expect(candidate.tmpfs).toContain('/tmp');
      expect(candidate.cap_drop).toEqual(['ALL']);
      expect(candidate.security_opt).toContain('no-new-privileges:true');
      expect(seconds(candidate.stop_grace_period)).toBeGreaterThan(
        Number(envOf(app).SHUTDOWN_TIMEOUT_MS) / 1000,
      );
      // The secret is a generated file in the secrets volume, mounted read-only.
      expect(declaredEnv(app).INTERNAL_AUTH_SECRET_FILE).toMatch(/^\/run\/secrets\//);
      expect(candidate.volumes).toContain('secrets:/run/secrets:ro');
    });
  });

  it('gives every service, with the dev override, what `npm start` gives it, with container addresses', () => {
    const infra = { brokers: 'kafka:9092', postgresServerUrl: 'postgres://postgres@postgres:5432/' };
    expect([...SERVICE_NAMES].sort()).toEqual(APP_NAMES);
    for (const name of SERVICE_NAMES) {
      const local = serviceEnv(name, infra, {
        ...DEFAULT_PORTS,
        gatewayMetrics: DEFAULT_GATEWAY_METRICS_PORT,
      });
      const env = envOf(name, dev);
      expect(configProblems(schemaOf(name), env)).toEqual([]);
      expect({ name, variables: Object.keys(local).filter((key) => !(key in env)) }).toEqual({
        name,
        variables: [],
      });
      for (const [key, value] of Object.entries(local)) {
        if (key === 'HOST') {
          // Loopback for local processes; every interface inside a container.
          expect(env.HOST).toBe('0.0.0.0');
        } else if (key.endsWith('_URL')) {
          const [localUrl, composeUrl] = [new URL(value), new URL(env[key])];
          expect({ key, port: composeUrl.port, path: composeUrl.pathname }).toEqual({
            key,
            port: key === 'DATABASE_URL' ? '5432' : localUrl.port,
            path: localUrl.pathname,
          });
        } else {
          expect({ key, value: env[key] }).toEqual({ key, value });
        }
      }
    }
  });

  it('uses the same ports and databases as the Helm chart', () => {
    const chart = Rendered.of();
    for (const app of APP_NAMES) {
      const configMap = chart.get<{ data: Record<string, string> }>('ConfigMap', componentName(app)).data;
      expect({ app, port: envOf(app).PORT }).toEqual({ app, port: configMap.PORT });
      if (schemaOf(app).isDataService) {
        expect(new URL(envOf(app).DATABASE_URL).pathname).toBe(new URL(configMap.DATABASE_URL).pathname);
      }
    }
  });
});

describe('docker compose up with no settings is safe', () => {
  it('has no dev token issuer: the gateway refuses to start until an identity provider is named', () => {
    for (const app of APP_NAMES) {
      expect({ app, devIssuer: declaredEnv(app, bare).DEV_ISSUER_ENABLED ?? 'false' }).toEqual({
        app,
        devIssuer: 'false',
      });
    }
    expect(configProblems(schemaOf('gateway'), envOf('gateway', bare))).toEqual([
      expect.stringMatching(/^JWKS_URL: must be the http\(s\) URL of the JWKS/),
    ]);
    expect(declaredEnv('gateway', dev).DEV_ISSUER_ENABLED).toBe('true');
  });

  it('carries no known secret: every secret is a generated file, or what the user gives', () => {
    const secretName = /SECRET|PASSWORD|PRIVATE|TOKEN|(^|_)KEY(_|$)/;
    for (const [name, candidate] of Object.entries(bare.services)) {
      for (const [key, value] of Object.entries(candidate.environment ?? {})) {
        if (!secretName.test(key) || key.endsWith('_FILE')) continue;
        // Only the secrets step reads the secrets from the shell, and without a default.
        expect({ name, key, value }).toEqual({ name, key, value: '' });
      }
    }
    const script = (service('secrets').entrypoint ?? []).join(' ');
    expect(script).toContain('/dev/urandom');
    for (const file of ['internal-auth-secret', 'postgres-password'])
      expect(script).toContain(`write ${file}`);
    expect(raw.services.secrets.environment).toEqual({
      INTERNAL_AUTH_SECRET: '${INTERNAL_AUTH_SECRET:-}',
      POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-}',
    });
  });

  it('has an observability profile scraping every service where it serves /metrics, with the dashboard', () => {
    const prometheus = parse(readRepoFile('deploy', 'compose', 'observability', 'prometheus.yml')) as {
      scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((config) => config.targets),
    );
    const expected = APP_NAMES.map((app) => `${app}:${envOf(app).METRICS_PORT ?? envOf(app).PORT}`);
    expect(targets.sort()).toEqual(expected.sort());
    expect(prometheus.scrape_configs.map((job) => job.metrics_path)).toEqual(['/metrics']);
    expect(service('grafana').volumes).toContain('./deploy/grafana:/var/lib/grafana/dashboards:ro');
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v\d/);
    expect(service('jaeger').image).toMatch(/^jaegertracing\/all-in-one:\d/);
    for (const app of APP_NAMES) {
      expect(raw.services[app].environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        '${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
      );
    }
  });

  it('publishes the gateway only; the dev override publishes the rest on loopback only', () => {
    const published = Object.entries(bare.services)
      .filter(([, candidate]) => candidate.ports?.length && !candidate.profiles)
      .map(([name]) => name);
    expect(published).toEqual(['gateway']);
    // The optional observability profile's tools: loopback only.
    for (const [name, candidate] of Object.entries(bare.services).filter(([, c]) => c.profiles)) {
      for (const port of candidate.ports ?? []) expect(`${name} ${port}`).toMatch(/^[\w-]+ 127\.0\.0\.1:/);
    }
    for (const [name, candidate] of Object.entries(rawDev.services)) {
      for (const port of candidate.ports ?? []) expect(`${name} ${port}`).toMatch(/^[\w-]+ 127\.0\.0\.1:/);
    }
  });
});

describe('compose interpolation as the tests apply it', () => {
  it.each([
    ['${A:-x}', {}, 'x'],
    ['${A:-x}', { A: '' }, 'x'],
    ['${A-x}', { A: '' }, ''],
    ['${A-x}', { A: 'y' }, 'y'],
    ['$${A}', { A: 'y' }, '${A}'],
    ['pre-$A-post', { A: 'y' }, 'pre-y-post'],
  ])('%s with %j is %s', (input, env, expected) => {
    expect(interpolate(input, env)).toBe(expected);
  });
});

/**
 * The Helm chart, validated without a cluster: helm lint --strict and helm template for each values
 * set the chart ships, every rendered object against the Kubernetes schemas, and the properties
 * that make the deployment work: probes on the endpoints and ports the services really serve, an
 * environment each service's own config validation accepts, selectors that match, secrets only
 * in Secrets, non-root pods, zero-downtime rollouts.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configProblems, loadAppConfigSchema, type AppConfigSchema } from './support/app-config';
import {
  CHART_DIR,
  componentName,
  lintChart,
  NAMESPACE,
  RELEASE,
  RELEASE_FULLNAME,
  Rendered,
  renderError,
  renderNotes,
  VALUES_SETS,
  type KubeObject,
  type ValuesSetName,
} from './support/chart';
import {
  decodeSecretData,
  resolveEnv,
  resolvePort,
  selectorMatches,
  validateKubeObject,
  type Container,
  type DeploymentSpec,
  type LabelSelector,
  type NetworkPolicySpec,
  type PodTemplate,
  type ServiceSpec,
  type StatefulSetSpec,
} from './support/kube';
import { APP_NAMES, readRepoFile } from './support/repo';

type Deployment = KubeObject & DeploymentSpec;
type StatefulSet = KubeObject & StatefulSetSpec;
type Hpa = KubeObject & {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{
      type: string;
      resource?: { name: string; target: { type: string; averageUtilization?: number } };
    }>;
  };
};
type Pdb = KubeObject & {
  spec: {
    selector: DeploymentSpec['spec']['selector'];
    maxUnavailable?: number | string;
    minAvailable?: number | string;
  };
};
type Ingress = KubeObject & {
  spec: {
    tls?: Array<{ secretName: string; hosts?: string[] }>;
    rules: Array<{
      host: string;
      http: {
        paths: Array<{ backend: { service: { name: string; port: { name?: string; number?: number } } } }>;
      };
    }>;
  };
};
type ConfigMapObject = KubeObject & { data?: Record<string, string> };

const SECRET_KEY_PATTERN = /PASSWORD|SECRET|PRIVATE_KEY/;
const INFRA_COMPONENTS = ['kafka', 'postgresql'];

/** The values a set resolves to (values.yaml plus its override files), read the way helm merges them. */
function loadValues(set: ValuesSetName): Record<string, unknown> {
  const merge = (base: unknown, override: unknown): unknown => {
    if (override === null) return undefined;
    if (typeof base !== 'object' || base === null || Array.isArray(base)) return override;
    if (typeof override !== 'object' || Array.isArray(override)) return override;
    const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
      const merged = merge(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
    return result;
  };
  return ['values.yaml', ...VALUES_SETS[set]].reduce<Record<string, unknown>>(
    (values, file) =>
      merge(values, parse(readFileSync(join(CHART_DIR, file), 'utf8'))) as Record<string, unknown>,
    {},
  );
}

/** Values of a Secret the chart does not render (secrets.existingSecret), as an operator would create it. */
function existingSecretFixture(key: string): string | undefined {
  switch (key) {
    case 'internal-auth-secret':
      return 'an-existing-internal-secret-of-32-chars';
    case 'database-password':
      return 'an existing password';
    case 'dev-issuer-private-key':
      return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    default:
      return undefined;
  }
}

/** Every pod template the release renders (Deployments, StatefulSets), by workload name. */
function podTemplates(rendered: Rendered): Map<string, PodTemplate> {
  const workloads = [
    ...rendered.ofKind<DeploymentSpec>('Deployment'),
    ...rendered.ofKind<StatefulSetSpec>('StatefulSet'),
  ];
  return new Map(workloads.map((workload) => [workload.metadata.name, workload.spec.template]));
}

function durationOfSleep(command: string[] | undefined): number {
  expect(command?.[0]).toBe('sleep');
  return Number(command?.[1]);
}

// helm runs as a child process; leave room for a busy machine. (Jest 29 ignores a testTimeout
// set on a project in jest.config.js, so it is set here.)
jest.setTimeout(60_000);

const appSchemas = new Map<string, AppConfigSchema>();

beforeAll(async () => {
  for (const app of APP_NAMES) {
    appSchemas.set(app, await loadAppConfigSchema(app));
  }
});

function schemaOf(app: string): AppConfigSchema {
  const schema = appSchemas.get(app);
  if (!schema) throw new Error(`no config schema loaded for ${app}`);
  return schema;
}

it('the health endpoints the probes use are the ones the services serve', () => {
  const controller = readRepoFile('libs', 'health', 'src', 'health.http-controller.ts');
  expect(controller).toMatch(/@Controller\('health'\)/);
  expect(controller).toMatch(/@Get\('live'\)/);
  expect(controller).toMatch(/@Get\('ready'\)/);
  // Data services get their health wiring (database and Kafka readiness) from DataServiceModule.
  const dataServiceModule = readRepoFile('libs', 'data-service', 'src', 'data-service.module.ts');
  expect(dataServiceModule).toMatch(/HealthModule\.forRoot\(\{[^}]*database: true[^}]*KafkaReadinessCheck/);
  for (const app of APP_NAMES) {
    const module = readRepoFile('apps', app, 'src', `${app}.module.ts`);
    const wiring = schemaOf(app).isDataService ? /DataServiceModule\.forRoot\(/ : /HealthModule\.forRoot\(/;
    expect({ app, health: wiring.test(module) }).toEqual({ app, health: true });
  }
});

describe.each(Object.keys(VALUES_SETS) as ValuesSetName[])('chart with %s values', (set) => {
  const valuesFiles = VALUES_SETS[set];
  const values = loadValues(set);
  const existingSecret = (values.secrets as { existingSecret: string }).existingSecret;
  const kafkaInternal = (values.kafka as { internal: { enabled: boolean } }).internal.enabled;
  const databaseInternal = (values.database as { internal: { enabled: boolean } }).internal.enabled;
  let rendered: Rendered;
  let configMaps: Map<string, Record<string, string>>;
  let secrets: Map<string, Record<string, string>>;

  beforeAll(() => {
    rendered = Rendered.of({ valuesFiles });
    configMaps = new Map(
      rendered.ofKind<ConfigMapObject>('ConfigMap').map((cm) => [cm.metadata.name, cm.data ?? {}]),
    );
    secrets = new Map(
      rendered.ofKind('Secret').map((secret) => [secret.metadata.name, decodeSecretData(secret)]),
    );
  });

  const deployment = (app: string): Deployment =>
    rendered.get<DeploymentSpec>('Deployment', componentName(app));
  const containerOf = (app: string): Container => {
    const containers = deployment(app).spec.template.spec.containers;
    expect(containers.map((container) => container.name)).toEqual([app]);
    return containers[0];
  };
  const envOf = (app: string): Record<string, string> =>
    resolveEnv(containerOf(app), configMaps, secrets, (name, key) =>
      name === existingSecret ? existingSecretFixture(key) : undefined,
    );

  it('passes helm lint --strict', () => {
    const { ok, output } = lintChart({ valuesFiles });
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(ok).toBe(true);
  });

  it('renders only objects that are valid against the Kubernetes schemas', () => {
    const problems = rendered.objects.flatMap((object) => {
      try {
        validateKubeObject(object);
        return [];
      } catch (error) {
        return [
          `${object.kind} ${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`,
        ];
      }
    });
    expect(problems).toEqual([]);
  });

  it('names every object uniquely and labels it as part of the release', () => {
    const keys = rendered.objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const object of rendered.objects) {
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
      expect(object.metadata.namespace ?? NAMESPACE).toBe(NAMESPACE);
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'storage-rental',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
  });

  it('deploys exactly the applications of the monorepo, each with a Service and a ConfigMap', () => {
    const names = (kind: string) =>
      rendered
        .ofKind(kind)
        .map((object) => object.metadata.labels?.['app.kubernetes.io/component'])
        .filter((component) => component !== undefined && !INFRA_COMPONENTS.includes(component))
        .sort();
    expect(names('Deployment')).toEqual(APP_NAMES);
    expect(names('Service')).toEqual(APP_NAMES);
    expect(names('ConfigMap')).toEqual(APP_NAMES);
  });

  describe.each(APP_NAMES)('%s', (app) => {
    it('runs its own image', () => {
      expect(containerOf(app).image).toMatch(new RegExp(`/${app}:[\\w.-]+$`));
    });

    it('is probed on /health/live and /health/ready at the port it listens on', () => {
      const container = containerOf(app);
      const env = envOf(app);
      const http = container.ports?.find((port) => port.name === 'http');
      expect(http?.containerPort).toBe(schemaOf(app).defaultPort);
      expect(env.PORT).toBe(String(http?.containerPort));
      const probes = {
        startup: container.startupProbe,
        liveness: container.livenessProbe,
        readiness: container.readinessProbe,
      };
      expect(probes.startup?.httpGet?.path).toBe('/health/live');
      expect(probes.liveness?.httpGet?.path).toBe('/health/live');
      expect(probes.readiness?.httpGet?.path).toBe('/health/ready');
      for (const probe of Object.values(probes)) {
        expect(resolvePort(container, probe?.httpGet?.port)).toBe(http?.containerPort);
      }
      // The startup probe must allow for topic creation and migrations (the services retry for 60 s).
      const startupBudget = (probes.startup?.periodSeconds ?? 10) * (probes.startup?.failureThreshold ?? 3);
      expect(startupBudget).toBeGreaterThanOrEqual(60);
    });

    it('is reachable through its Service, which selects its pods and no others', () => {
      const service = rendered.get<ServiceSpec>('Service', componentName(app));
      const container = containerOf(app);
      // The API port; the gateway's Service also maps the port its metrics are served on.
      const named: Record<string, ServiceSpec['spec']['ports'][number]> = Object.fromEntries(
        service.spec.ports.map((port) => [port.name ?? '', port]),
      );
      expect(Object.keys(named)).toEqual(app === 'gateway' ? ['http', 'metrics'] : ['http']);
      expect(resolvePort(container, named.http.targetPort)).toBe(schemaOf(app).defaultPort);
      expect(named.http.port).toBe(schemaOf(app).defaultPort);
      if (app === 'gateway') {
        expect(resolvePort(container, named.metrics.targetPort)).toBe(Number(envOf(app).METRICS_PORT));
      }
      const selected = [...podTemplates(rendered)].filter(([, template]) =>
        selectorMatches({ matchLabels: service.spec.selector }, template.metadata.labels),
      );
      expect(selected.map(([name]) => name)).toEqual([componentName(app)]);
    });

    it('starts with an environment its own config validation accepts', () => {
      expect(configProblems(schemaOf(app), envOf(app))).toEqual([]);
    });

    it('reaches the other services by the URLs of their Services', () => {
      const env = envOf(app);
      for (const [name, value] of Object.entries(env).filter(([key]) => /^[A-Z_]+_URL$/.test(key))) {
        if (name === 'DATABASE_URL' || name === 'JWKS_URL') continue;
        const target = name.replace(/_URL$/, '').toLowerCase().replace(/_/g, '-');
        expect(APP_NAMES).toContain(target);
        const url = new URL(value);
        const service = rendered.get<ServiceSpec>('Service', url.hostname);
        expect(service.spec.ports.map((port) => port.port)).toContain(Number(url.port));
        expect(service.metadata.labels?.['app.kubernetes.io/component']).toBe(target);
      }
    });

    it('uses Postgres and Kafka exactly when it is a data service', () => {
      const env = envOf(app);
      if (!schemaOf(app).isDataService) {
        expect(env.DATABASE_URL).toBeUndefined();
        expect(env.KAFKA_BROKERS).toBeUndefined();
        expect(env.PGPASSWORD).toBeUndefined();
        return;
      }
      const url = new URL(env.DATABASE_URL);
      // The password never sits in the URL (a ConfigMap); node-postgres takes it from PGPASSWORD.
      expect(url.password).toBe('');
      expect(url.pathname).toMatch(/^\/[a-z_]+$/);
      const secretPassword = containerOf(app).env?.find((variable) => variable.name === 'PGPASSWORD');
      if (databaseInternal || existingSecret) {
        expect(secretPassword?.valueFrom?.secretKeyRef?.key).toBe('database-password');
      }
      const [host, port] = env.KAFKA_BROKERS.split(',')[0].split(':');
      if (kafkaInternal) {
        const kafka = rendered.get<ServiceSpec>('Service', host);
        expect(kafka.spec.ports.map((candidate) => candidate.port)).toContain(Number(port));
        expect(kafka.spec.selector['app.kubernetes.io/component']).toBe('kafka');
      } else {
        expect(env.KAFKA_BROKERS).toBe((values.kafka as { brokers: string }).brokers);
      }
      if (databaseInternal) {
        const postgres = rendered.get<ServiceSpec>('Service', url.hostname);
        expect(postgres.spec.ports.map((candidate) => candidate.port)).toContain(Number(url.port));
        expect(postgres.spec.selector['app.kubernetes.io/component']).toBe('postgresql');
      }
    });

    it('gets its secrets from a Secret, never from its ConfigMap', () => {
      const container = containerOf(app);
      const secretName = existingSecret || RELEASE_FULLNAME;
      const fromSecrets = (container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef);
      expect(fromSecrets.map((variable) => variable.name)).toContain('INTERNAL_AUTH_SECRET');
      for (const variable of fromSecrets) {
        expect(variable.valueFrom?.secretKeyRef?.name).toBe(secretName);
      }
      const configMap = configMaps.get(componentName(app)) ?? {};
      expect(Object.keys(configMap).filter((key) => SECRET_KEY_PATTERN.test(key))).toEqual([]);
      const env = envOf(app);
      for (const variable of fromSecrets) {
        expect(Object.values(configMap)).not.toContain(env[variable.name]);
      }
      expect(Object.values(configMap).join('\n')).not.toContain('PRIVATE KEY');
    });

    it('rolls out without downtime and drains before it stops', () => {
      const spec = deployment(app).spec;
      expect(spec.strategy?.type).toBe('RollingUpdate');
      expect(spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
      const pod = spec.template.spec;
      const drainSeconds = durationOfSleep(containerOf(app).lifecycle?.preStop?.exec?.command);
      expect(drainSeconds).toBeGreaterThan(0);
      const shutdownSeconds = Math.ceil(Number(envOf(app).SHUTDOWN_TIMEOUT_MS ?? 10_000) / 1000);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds + shutdownSeconds);
    });

    it('carries a checksum of its configuration, so a config change rolls its pods', () => {
      expect(deployment(app).spec.template.metadata.annotations?.['checksum/config']).toMatch(
        /^[0-9a-f]{64}$/,
      );
    });

    it('runs as a non-root user with a read-only root filesystem and no capabilities', () => {
      const pod = deployment(app).spec.template.spec;
      const container = containerOf(app);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      expect(container.securityContext?.privileged).not.toBe(true);
      expect(container.securityContext?.capabilities?.drop).toContain('ALL');
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
    });

    it('mounts no service account token', () => {
      const pod = deployment(app).spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks).toBe(false);
      const account = rendered.get<{ automountServiceAccountToken?: boolean }>(
        'ServiceAccount',
        pod.serviceAccountName ?? '',
      );
      expect(account.automountServiceAccountToken).toBe(false);
    });

    it('requests CPU and memory and limits memory', () => {
      const { resources } = containerOf(app);
      expect(resources?.requests?.cpu).toBeDefined();
      expect(resources?.requests?.memory).toBeDefined();
      expect(resources?.limits?.memory).toBeDefined();
    });

    it('is scaled by an HPA aimed at its Deployment, or has a fixed replica count', () => {
      const hpas = rendered.ofKind<Pick<Hpa, 'spec'>>('HorizontalPodAutoscaler');
      const mine = hpas.filter((hpa) => hpa.spec.scaleTargetRef.name === componentName(app));
      const autoscaled = (values.apps as Record<string, { autoscaling: { enabled: boolean } }>)[app]
        .autoscaling.enabled;
      if (!autoscaled) {
        expect(mine).toEqual([]);
        expect(deployment(app).spec.replicas).toBeGreaterThanOrEqual(1);
        return;
      }
      expect(mine).toHaveLength(1);
      const [hpa] = mine;
      expect(hpa.metadata.name).toBe(componentName(app));
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: componentName(app),
      });
      // The HPA owns the replica count; a fixed one would be reset on every upgrade.
      expect(deployment(app).spec.replicas).toBeUndefined();
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual(
        expect.objectContaining({
          type: 'Resource',
          resource: expect.objectContaining({ name: 'cpu' }) as unknown,
        }),
      );
      // CPU utilization is measured against the request.
      expect(containerOf(app).resources?.requests?.cpu).toBeDefined();
      if (schemaOf(app).isDataService) {
        // Consumers beyond the partition count get no partition and sit idle.
        expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(Number(envOf(app).KAFKA_TOPIC_PARTITIONS));
      }
    });

    it('has a PodDisruptionBudget that selects its pods only and never blocks a drain', () => {
      const templates = podTemplates(rendered);
      const pdbs = rendered
        .ofKind<Pick<Pdb, 'spec'>>('PodDisruptionBudget')
        .filter((pdb) => selectorMatches(pdb.spec.selector, deployment(app).spec.template.metadata.labels));
      expect(pdbs).toHaveLength(1);
      const [pdb] = pdbs;
      const selected = [...templates].filter(([, template]) =>
        selectorMatches(pdb.spec.selector, template.metadata.labels),
      );
      expect(selected.map(([name]) => name)).toEqual([componentName(app)]);
      expect(pdb.spec.minAvailable).toBeUndefined();
      const maxUnavailable = pdb.spec.maxUnavailable;
      expect(
        typeof maxUnavailable === 'number' ? maxUnavailable : parseInt(String(maxUnavailable), 10),
      ).toBeGreaterThan(0);
    });

    it('accepts traffic only from where its NetworkPolicy says', () => {
      const labels = deployment(app).spec.template.metadata.labels;
      const policies = rendered
        .ofKind<NetworkPolicySpec>('NetworkPolicy')
        .filter((policy) => selectorMatches(policy.spec.podSelector, labels));
      expect(policies).toHaveLength(1);
      const [policy] = policies;
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      const allRules = policy.spec.ingress ?? [];
      // Prometheus' rule: the metrics port only, from metrics.scrapeFrom.
      const scrapeFrom = (values.metrics as { scrapeFrom: unknown[] }).scrapeFrom;
      const isScrapeRule = (rule: (typeof allRules)[number]) =>
        scrapeFrom.length > 0 && JSON.stringify(rule.from) === JSON.stringify(scrapeFrom);
      expect(
        allRules
          .filter(isScrapeRule)
          .map((rule) => rule.ports?.map((port) => resolvePort(containerOf(app), port.port))),
      ).toEqual(scrapeFrom.length > 0 ? [[Number(envOf(app).METRICS_PORT ?? envOf(app).PORT)]] : []);
      const rules = allRules.filter((rule) => !isScrapeRule(rule));
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        expect(rule.ports?.map((port) => resolvePort(containerOf(app), port.port))).toEqual([
          schemaOf(app).defaultPort,
        ]);
      }
      const peers = rules.flatMap((rule) => rule.from ?? []);
      if (app === 'gateway') {
        const gatewayFrom = (values.networkPolicy as { gatewayFrom: unknown[] }).gatewayFrom;
        if (gatewayFrom.length === 0) {
          expect(rules.some((rule) => rule.from === undefined)).toBe(true);
        } else {
          expect(rules.every((rule) => rule.from !== undefined)).toBe(true);
          for (const peer of gatewayFrom) expect(peers).toContainEqual(peer);
        }
        return;
      }
      // Same-namespace pods only (no namespaceSelector, no ipBlock), and exactly the release's services.
      expect(rules.every((rule) => rule.from !== undefined)).toBe(true);
      for (const peer of peers) {
        expect(Object.keys(peer)).toEqual(['podSelector']);
      }
      const allowed = [...podTemplates(rendered)]
        .filter(([, template]) =>
          peers.some((peer) => selectorMatches(peer.podSelector ?? {}, template.metadata.labels)),
        )
        .map(([name]) => name)
        .sort();
      expect(allowed).toEqual(APP_NAMES.map(componentName).sort());
    });
  });

  it('lets Prometheus find every service’s /metrics: pod annotations on the port it serves them', () => {
    for (const app of APP_NAMES) {
      const env = envOf(app);
      // The gateway serves metrics apart from its public port; the services on theirs.
      const port = Number(app === 'gateway' ? env.METRICS_PORT : env.PORT);
      expect({ app, port: app === 'gateway' ? port !== Number(env.PORT) : true }).toEqual({
        app,
        port: true,
      });
      expect(containerOf(app).ports?.map((candidate) => candidate.containerPort)).toContain(port);
      expect(deployment(app).spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('keeps the secrets in the release Secret, or reads an existing one', () => {
    const chartSecrets = rendered.ofKind('Secret');
    if (existingSecret) {
      expect(chartSecrets).toEqual([]);
      return;
    }
    expect(chartSecrets.map((secret) => secret.metadata.name)).toEqual([RELEASE_FULLNAME]);
    const data = secrets.get(RELEASE_FULLNAME) ?? {};
    expect(data['internal-auth-secret'].length).toBeGreaterThanOrEqual(16);
    if (databaseInternal) {
      expect(data['database-password'].length).toBeGreaterThanOrEqual(16);
    }
    const devIssuer = (values.apps as { gateway: { devIssuer: { enabled: boolean } } }).gateway.devIssuer
      .enabled;
    if (devIssuer) {
      // A PKCS#8 key the gateway can load (its config accepts nothing else).
      const pem = data['dev-issuer-private-key'];
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
    } else {
      expect(data['dev-issuer-private-key']).toBeUndefined();
    }
  });

  it('keeps every ConfigMap free of secret values', () => {
    const secretValues = [...secrets.values()].flatMap((data) => Object.values(data));
    for (const [name, data] of configMaps) {
      expect({ name, keys: Object.keys(data).filter((key) => SECRET_KEY_PATTERN.test(key)) }).toEqual({
        name,
        keys: [],
      });
      for (const value of Object.values(data)) {
        expect(secretValues).not.toContain(value);
        expect(value).not.toContain('PRIVATE KEY');
      }
    }
  });

  it(
    kafkaInternal ? 'runs a single-node KRaft Kafka with a persistent volume' : 'runs no Kafka of its own',
    () => {
      const kafka = rendered.find<StatefulSetSpec>('StatefulSet', componentName('kafka'));
      if (!kafkaInternal) {
        expect(kafka).toBeUndefined();
        return;
      }
      expect(kafka).toBeDefined();
      const statefulSet = kafka as StatefulSet;
      const [container] = statefulSet.spec.template.spec.containers;
      expect(container.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
      const env = Object.fromEntries(
        (container.env ?? []).map((variable) => [variable.name, variable.value]),
      );
      expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
      expect(Object.keys(env).some((name) => name.includes('ZOOKEEPER'))).toBe(false);
      // The image maps every KAFKA_* variable to a broker setting: Service links would inject some.
      expect(statefulSet.spec.template.spec.enableServiceLinks).toBe(false);
      expectPersistentNonRoot(statefulSet);
      expect(rendered.get<ServiceSpec>('Service', statefulSet.spec.serviceName).spec.clusterIP).toBe('None');
    },
  );

  it(
    databaseInternal
      ? 'runs Postgres with a persistent volume and one database per service'
      : 'runs no Postgres of its own',
    () => {
      const postgres = rendered.find<StatefulSetSpec>('StatefulSet', componentName('postgresql'));
      if (!databaseInternal) {
        expect(postgres).toBeUndefined();
        return;
      }
      const statefulSet = postgres as StatefulSet;
      expectPersistentNonRoot(statefulSet);
      const [container] = statefulSet.spec.template.spec.containers;
      expect(container.image).toMatch(/^postgres:17/);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
      const password = container.env?.find((variable) => variable.name === 'POSTGRES_PASSWORD');
      expect(password?.valueFrom?.secretKeyRef).toEqual({ name: RELEASE_FULLNAME, key: 'database-password' });
      const initdb =
        statefulSet.spec.template.spec.volumes?.find((volume) => volume.configMap)?.configMap?.name ?? '';
      const sql = Object.values(configMaps.get(initdb) ?? {}).join('\n');
      const databases = APP_NAMES.filter((app) => schemaOf(app).isDataService).map((app) =>
        new URL(envOf(app).DATABASE_URL).pathname.slice(1),
      );
      expect(databases).toHaveLength(4);
      for (const database of databases) {
        expect(sql).toMatch(new RegExp(`CREATE DATABASE ${database};`));
      }
    },
  );

  it('lets only the data services reach the in-release Kafka and Postgres', () => {
    const templates = podTemplates(rendered);
    const dataServices = APP_NAMES.filter((app) => schemaOf(app).isDataService)
      .map(componentName)
      .sort();
    for (const component of INFRA_COMPONENTS) {
      const statefulSet = rendered.find<StatefulSetSpec>('StatefulSet', componentName(component));
      if (!statefulSet) continue;
      const policies = rendered
        .ofKind<NetworkPolicySpec>('NetworkPolicy')
        .filter((policy) =>
          selectorMatches(policy.spec.podSelector, statefulSet.spec.template.metadata.labels),
        );
      expect(policies).toHaveLength(1);
      const peers = (policies[0].spec.ingress ?? []).flatMap((rule) => rule.from ?? [{}]);
      const allowed = [...templates]
        .filter(([, template]) =>
          peers.some((peer) => selectorMatches(peer.podSelector ?? {}, template.metadata.labels)),
        )
        .map(([name]) => name)
        .sort();
      expect(allowed).toEqual(dataServices);
    }
    expect(rendered.ofKind('StatefulSet').length).toBe(Number(kafkaInternal) + Number(databaseInternal));
  });

  it('exposes the gateway, and only the gateway, through the Ingress when enabled', () => {
    const ingresses = rendered.ofKind<Pick<Ingress, 'spec'>>('Ingress');
    const enabled = (values.ingress as { enabled: boolean }).enabled;
    expect(ingresses).toHaveLength(enabled ? 1 : 0);
    for (const ingress of ingresses) {
      expect(ingress.spec.tls?.length).toBeGreaterThan(0);
      for (const path of ingress.spec.rules.flatMap((rule) => rule.http.paths)) {
        const { name, port } = path.backend.service;
        expect(name).toBe(componentName('gateway'));
        expect(
          rendered.get<ServiceSpec>('Service', name).spec.ports.map((candidate) => candidate.name),
        ).toContain(port.name);
      }
    }
  });

  it('ships a helm test that checks the gateway is ready', () => {
    const [pod] = rendered.ofKind<{ spec: { containers: Container[] } & Record<string, unknown> }>('Pod');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const script = pod.spec.containers[0] as Container & { command: string[] };
    expect(script.command.join(' ')).toContain(
      `http://${componentName('gateway')}:${schemaOf('gateway').defaultPort}/health/ready`,
    );
    expect(script.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  function expectPersistentNonRoot(statefulSet: StatefulSet): void {
    const [claim] = statefulSet.spec.volumeClaimTemplates ?? [];
    expect(claim?.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim?.spec.resources.requests.storage).toMatch(/^\d+(Mi|Gi|Ti)$/);
    const [container] = statefulSet.spec.template.spec.containers;
    expect(container.volumeMounts?.map((mount) => mount.name)).toContain(claim?.metadata.name);
    expect(statefulSet.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(statefulSet.spec.template.spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false });
    expect(container.securityContext?.capabilities?.drop).toContain('ALL');
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
    expect(statefulSet.spec.template.spec.automountServiceAccountToken).toBe(false);
  }
});

describe('Prometheus Operator', () => {
  it('gives each service a ServiceMonitor that scrapes /metrics on the port its Service maps to it', () => {
    const rendered = Rendered.of({
      set: {
        'metrics.serviceMonitor.enabled': 'true',
        'metrics.serviceMonitor.labels.release': 'kube-prometheus',
      },
    });
    const monitors = rendered.ofKind<{
      spec: { selector: LabelSelector; endpoints: { port: string; path: string; interval?: string }[] };
    }>('ServiceMonitor');
    expect(
      monitors.map((monitor) => monitor.metadata.labels?.['app.kubernetes.io/component']).sort(),
    ).toEqual(APP_NAMES);
    for (const monitor of monitors) {
      validateKubeObject(monitor);
      const app = monitor.metadata.labels!['app.kubernetes.io/component'];
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
      const services = rendered
        .ofKind<ServiceSpec>('Service')
        .filter((service) => selectorMatches(monitor.spec.selector, service.metadata.labels ?? {}));
      expect(services.map((service) => service.metadata.name)).toEqual([componentName(app)]);
      const [endpoint] = monitor.spec.endpoints;
      expect(endpoint).toMatchObject({ path: '/metrics', interval: '30s' });
      const servicePort = services[0].spec.ports.find((port) => port.name === endpoint.port)!;
      const container = rendered.get<DeploymentSpec>('Deployment', componentName(app)).spec.template.spec
        .containers[0];
      const configMap = rendered
        .ofKind<ConfigMapObject>('ConfigMap')
        .find((cm) => cm.metadata.name === componentName(app))!;
      expect(resolvePort(container, servicePort.targetPort)).toBe(
        Number(configMap.data?.METRICS_PORT ?? configMap.data?.PORT),
      );
    }
  });

  it('renders none by default (the CRDs may not exist)', () => {
    expect(Rendered.of().ofKind('ServiceMonitor')).toEqual([]);
    expect(Rendered.of().ofKind('PrometheusRule')).toEqual([]);
  });

  it('ships the alerts of files/prometheus-rules.yml, unchanged, as a PrometheusRule', () => {
    const [rule, ...others] = Rendered.of({
      set: {
        'metrics.prometheusRule.enabled': 'true',
        'metrics.prometheusRule.labels.release': 'kube-prometheus',
      },
    }).ofKind<{ spec: unknown }>('PrometheusRule');
    expect(others).toEqual([]);
    validateKubeObject(rule);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
    expect(rule.spec).toEqual(parse(readRepoFile('helm', 'storage-rental', 'files', 'prometheus-rules.yml')));
  });
});

describe('tracing', () => {
  it('points every service at the OTLP collector with the sampler chosen', () => {
    const rendered = Rendered.of({
      set: {
        'tracing.otlpEndpoint': 'http://otel-collector:4318',
        'tracing.sampler': 'parentbased_traceidratio',
        'tracing.samplerArg': '0.25',
      },
    });
    const maps = rendered
      .ofKind<ConfigMapObject>('ConfigMap')
      .filter(
        (cm) =>
          cm.metadata.labels?.['app.kubernetes.io/component'] !== undefined &&
          APP_NAMES.includes(cm.metadata.labels['app.kubernetes.io/component']),
      );
    expect(maps).toHaveLength(APP_NAMES.length);
    for (const configMap of maps) {
      expect(configMap.data).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      });
    }
    expect(JSON.stringify(Rendered.of().ofKind('ConfigMap'))).not.toContain('OTEL_');
  });
});

describe('configuration changes', () => {
  const checksums = (rendered: Rendered) =>
    Object.fromEntries(
      APP_NAMES.map((app) => [
        app,
        rendered.get<DeploymentSpec>('Deployment', componentName(app)).spec.template.metadata.annotations?.[
          'checksum/config'
        ],
      ]),
    );

  it('leave the checksums alone when nothing changed (generated secrets do not count)', () => {
    expect(checksums(Rendered.of())).toEqual(checksums(Rendered.of()));
  });

  it('roll only the service whose configuration changed', () => {
    const before = checksums(Rendered.of());
    const after = checksums(Rendered.of({ set: { 'apps.payment.env.PAYMENT_LATENCY_MS': '100-200' } }));
    for (const app of APP_NAMES) {
      if (app === 'payment') expect(after[app]).not.toBe(before[app]);
      else expect(after[app]).toBe(before[app]);
    }
  });

  it('roll every service when a shared secret changes', () => {
    const before = checksums(Rendered.of());
    const after = checksums(
      Rendered.of({ set: { 'secrets.internalAuthSecret': 'a-rotated-secret-of-32-characters' } }),
    );
    for (const app of APP_NAMES) expect(after[app]).not.toBe(before[app]);
  });
});

describe('an external database password', () => {
  it('goes to the Secret and reaches the data services as PGPASSWORD, never through a ConfigMap', () => {
    const password = 'p@ss:word/with?url#characters';
    const rendered = Rendered.of({ set: { 'database.password': password } });
    const secret = decodeSecretData(rendered.get('Secret', RELEASE_FULLNAME));
    expect(secret['database-password']).toBe(password);
    for (const configMap of rendered.ofKind<ConfigMapObject>('ConfigMap')) {
      expect(JSON.stringify(configMap.data)).not.toContain('p@ss');
    }
    for (const app of APP_NAMES) {
      const [container] = rendered.get<DeploymentSpec>('Deployment', componentName(app)).spec.template.spec
        .containers;
      const reference = container.env?.find((variable) => variable.name === 'PGPASSWORD')?.valueFrom
        ?.secretKeyRef;
      expect(reference).toEqual(
        schemaOf(app).isDataService ? { name: RELEASE_FULLNAME, key: 'database-password' } : undefined,
      );
    }
  });
});

describe('values the services would refuse', () => {
  it.each([
    [
      'a payment failure rate above 1',
      { 'apps.payment.env.PAYMENT_FAILURE_RATE': '2' },
      /PAYMENT_FAILURE_RATE/,
    ],
    ['a malformed payment latency', { 'apps.payment.env.PAYMENT_LATENCY_MS': 'slow' }, /PAYMENT_LATENCY_MS/],
    ['an unknown log level', { 'config.logLevel': 'verbose' }, /logLevel/],
    [
      'an internal secret shorter than 16 characters',
      { 'secrets.internalAuthSecret': 'short' },
      /internalAuthSecret/,
    ],
    [
      'a port the chart wires itself',
      { 'apps.booking.env.PORT': '9000' },
      /apps\.booking\.env\.PORT is set by the chart/,
    ],
    ['a secret in a ConfigMap', { 'apps.gateway.env.INTERNAL_AUTH_SECRET': 'x'.repeat(20) }, /is a secret/],
    ['a call to a service that does not exist', { 'apps.booking.upstreams[0]': 'billing' }, /upstreams/],
    [
      'autoscaling without a CPU request',
      { 'apps.mypage.autoscaling.enabled': 'true', 'apps.mypage.resources.requests.cpu': 'null' },
      /needs apps\.mypage\.resources\.requests\.cpu/,
    ],
    [
      'the dev token issuer behind a public Ingress',
      { 'ingress.enabled': 'true', 'apps.gateway.devIssuer.enabled': 'true' },
      /allowWithIngress/,
    ],
  ])('are refused at install: %s', (_case, set, message) => {
    expect(renderError({ set })).toMatch(message);
  });

  it('allow the dev issuer with an Ingress only when forced explicitly', () => {
    const rendered = Rendered.of({
      set: {
        'ingress.enabled': 'true',
        'apps.gateway.devIssuer.enabled': 'true',
        'apps.gateway.devIssuer.allowWithIngress': 'true',
      },
    });
    expect(rendered.ofKind('Ingress')).toHaveLength(1);
  });
});

describe('NOTES.txt', () => {
  it('tells how to reach the API through a port-forward by default', () => {
    const notes = renderNotes();
    expect(notes).toContain(
      `kubectl port-forward -n ${NAMESPACE} service/${componentName('gateway')} 8080:8080`,
    );
    expect(notes).toContain('http://localhost:8080/docs');
    expect(notes).toContain('WARNING: no database password is configured');
  });

  it('gives the Ingress URL and the existing Secret in production', () => {
    const notes = renderNotes({ valuesFiles: VALUES_SETS.production });
    expect(notes).toContain('https://api.storage-rental.example/docs');
    expect(notes).toContain('Secrets: read from the existing Secret "storage-rental-secrets"');
    expect(notes).not.toContain('port-forward');
  });

  it('warns that the dev issuer is on in the dev values', () => {
    expect(renderNotes({ valuesFiles: VALUES_SETS.dev })).toMatch(/dev issuer is ON/);
  });
});

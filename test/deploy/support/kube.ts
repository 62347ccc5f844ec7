/**
 * Kubernetes schema validation (kubernetes-models) and the bits of Kubernetes semantics the tests
 * need: label selectors, named ports, environment resolution.
 */
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { KubeObject } from './chart';

interface Validatable {
  validate(): void;
}

/** The model class of every kind the chart may render, by apiVersion and kind. */
const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/**
 * Validates one object against the Kubernetes OpenAPI schema of its kind. Throws on a schema error
 * or on a kind this list does not know (so a new kind cannot slip past validation).
 */
export function validateKubeObject(object: KubeObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) {
    throw new Error(`No schema model registered for ${object.apiVersion} ${object.kind}`);
  }
  new Model(object as never).validate();
}

// ---- shapes the tests read (only the fields they use) -------------------------------------------

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: Record<string, unknown>; configMap?: { name: string } }>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface DeploymentSpec {
  spec: {
    replicas?: number;
    selector: LabelSelector;
    strategy?: {
      type: string;
      rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
    };
    template: PodTemplate;
  };
}

export interface StatefulSetSpec {
  spec: {
    serviceName: string;
    selector: LabelSelector;
    template: PodTemplate;
    volumeClaimTemplates?: Array<{
      metadata: { name: string };
      spec: { accessModes: string[]; resources: { requests: { storage: string } } };
    }>;
  };
}

export interface ServiceSpec {
  spec: {
    type?: string;
    clusterIP?: string;
    selector: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: number | string }>;
  };
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

export interface NetworkPolicySpec {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{
      from?: NetworkPolicyPeer[];
      ports?: Array<{ port?: number | string; protocol?: string }>;
    }>;
  };
}

// ---- semantics ----------------------------------------------------------------------------------

/** Kubernetes label selector semantics (matchLabels AND every matchExpression). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
    }
  });
  return byLabels && byExpressions;
}

/** The container port a probe or Service targets: a number, or the name of a container port. */
export function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') {
    return port;
  }
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/**
 * The environment a container starts with: envFrom ConfigMaps and Secrets, then env entries
 * (values, ConfigMap and Secret keys, and $(VAR) references to earlier variables). A Secret that
 * is not rendered (an existing Secret) resolves through `externalSecret`.
 */
export function resolveEnv(
  container: Container,
  configMaps: Map<string, Record<string, string>>,
  secrets: Map<string, Record<string, string>>,
  externalSecret: (name: string, key: string) => string | undefined = () => undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  const secretValue = (name: string, key: string): string | undefined =>
    secrets.has(name) ? secrets.get(name)?.[key] : externalSecret(name, key);
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const data = configMaps.get(source.configMapRef.name);
      if (!data) throw new Error(`envFrom: no ConfigMap ${source.configMapRef.name}`);
      Object.assign(env, data);
    }
    if (source.secretRef) {
      const data = secrets.get(source.secretRef.name);
      if (!data) throw new Error(`envFrom: no Secret ${source.secretRef.name}`);
      Object.assign(env, data);
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) =>
        name in env ? env[name] : whole,
      );
      continue;
    }
    const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
    if (secretKeyRef) {
      const value = secretValue(secretKeyRef.name, secretKeyRef.key);
      if (value === undefined) {
        throw new Error(`${variable.name}: Secret ${secretKeyRef.name} has no key ${secretKeyRef.key}`);
      }
      env[variable.name] = value;
    } else if (configMapKeyRef) {
      const value = configMaps.get(configMapKeyRef.name)?.[configMapKeyRef.key];
      if (value === undefined) {
        throw new Error(
          `${variable.name}: ConfigMap ${configMapKeyRef.name} has no key ${configMapKeyRef.key}`,
        );
      }
      env[variable.name] = value;
    }
  }
  return env;
}

export function decodeSecretData(secret: KubeObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  const stringData = (secret.stringData ?? {}) as Record<string, string>;
  return {
    ...Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    ),
    ...stringData,
  };
}

import { join } from 'node:path';
import { databaseUrl } from '../../tools/stack/database-url';
import {
  allocatePorts,
  metricsUrl,
  DATABASES,
  serviceEnv,
  ServiceProcess,
  serviceUrl,
  type ServiceName,
  type ServicePorts,
} from '../../tools/stack/services';
import { freePort } from '../../tools/stack/ports';
import { stackInfo, type StackInfo } from './stack-file';

export interface SystemOptions {
  /** A label for the log folder, e.g. the suite name. */
  label: string;
  services: ServiceName[];
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Kafka and Postgres of the suite's own (fault suites stop them); the run's shared ones by default. */
  infra?: StackInfo;
  /** Extra processes of a service sharing its consumer group and database (scale-out). */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * Databases of the suite's own (`<prefix>_booking`, ...) instead of the run's shared ones: for
   * a suite whose data would change what later suites see (units with other prices, say).
   */
  databasePrefix?: string;
}

/**
 * The built services as real processes against the suite run's Kafka and Postgres, on free
 * ports. Suites share the databases and topics, so each uses its own customers, unit codes and
 * rental periods.
 */
export class System {
  readonly services = new Map<ServiceName, ServiceProcess>();
  /** Second and later processes of a service, each on its own port, logging to `replica-N/`. */
  readonly replicas: ServiceProcess[] = [];

  private constructor(
    readonly infra: StackInfo,
    readonly ports: ServicePorts,
  ) {}

  static async start(options: SystemOptions): Promise<System> {
    const infra = options.infra ?? stackInfo();
    const system = new System(infra, await allocatePorts(false));
    const logDir = join(infra.dataDir, 'logs', options.label);
    for (const name of options.services) {
      const env = {
        LOG_LEVEL: 'info',
        SEED_DEFAULT_INVENTORY: 'false',
        ...serviceEnv(
          name,
          { brokers: infra.brokers, postgresServerUrl: infra.postgresServerUrl },
          system.ports,
        ),
        ...(options.databasePrefix && DATABASES[name]
          ? {
              DATABASE_URL: databaseUrl(
                infra.postgresServerUrl,
                `${options.databasePrefix}_${DATABASES[name]}`,
              ),
            }
          : {}),
        ...options.env?.[name],
      };
      system.services.set(name, new ServiceProcess(name, env, serviceUrl(system.ports, name), logDir));
      for (let replica = 2; replica <= (options.replicas?.[name] ?? 1); replica += 1) {
        const port = await freePort();
        system.replicas.push(
          new ServiceProcess(
            name,
            { ...env, PORT: String(port) },
            `http://127.0.0.1:${port}`,
            join(logDir, `replica-${replica}`),
          ),
        );
      }
    }
    try {
      await Promise.all([
        ...[...system.services.values()].map((service) => system.startService(service.name)),
        ...system.replicas.map(async (replica) => {
          replica.start();
          await replica.waitReady();
        }),
      ]);
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  url(name: ServiceName): string {
    return serviceUrl(this.ports, name);
  }

  /** Where Prometheus would scrape the service (the gateway's metrics have a port of their own). */
  metricsUrl(name: ServiceName): string {
    return metricsUrl(this.ports, name);
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) {
      throw new Error(`${name} is not part of this system`);
    }
    return service;
  }

  async startService(name: ServiceName, extraEnv?: Record<string, string>): Promise<void> {
    const service = this.service(name);
    if (extraEnv) {
      service.setEnv(extraEnv);
    }
    service.start();
    await service.waitReady();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values(), ...this.replicas].map((service) => service.close()));
  }
}

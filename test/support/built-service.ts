import { resolve } from 'node:path';
import { freePort } from '../../tools/stack/ports';
import { NodeProcess } from './node-process';

const ROOT = resolve(__dirname, '..', '..');

export interface BuiltService {
  readonly url: string;
  /** Its /metrics, on a port of its own (two gateways on the default 9464 would collide). */
  readonly metricsUrl: string;
  readonly process: NodeProcess;
  stop(): Promise<void>;
}

/**
 * Starts a built service (`npm run build` first) on free ports and waits until its readiness
 * probe answers. The caller supplies the rest of the environment (upstream URLs, secrets, limits).
 */
export async function startBuiltService(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 30_000,
): Promise<BuiltService> {
  const port = await freePort();
  const metricsPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new NodeProcess(name, resolve(ROOT, 'dist', 'apps', name, 'src', 'main.js'), {
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    ...env,
  });
  try {
    await child.waitForHttp(`${url}/health/ready`, readyTimeoutMs);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    process: child,
    stop: () => child.stop(),
  };
}

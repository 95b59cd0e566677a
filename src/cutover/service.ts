/**
 * Reads the production Service through the Kubernetes API (@kubernetes/client-node 1.4.0, the
 * last line that runs on Node 20) and reports which colour its selector picks. Read-only
 * (`get services`), bounded by a timeout.
 */
import * as k8s from '@kubernetes/client-node';
import type { ResolvedConfig } from '../../config/index.ts';
import { ConfigError } from '../errors.ts';

export interface ServiceColour {
  service: string;
  namespace: string;
  label: string;
  /** The selector's value for the colour label; null when the selector lacks it. */
  colour: string | null;
  selector: Record<string, string>;
}

export type ServiceRead = { ok: true; value: ServiceColour } | { ok: false; error: string };

export async function readServiceColour(config: Readonly<ResolvedConfig>, timeoutMs: number): Promise<ServiceRead> {
  if (!config.kube) {
    throw new ConfigError([`${config.envFile ?? config.env}: KUBE_NAMESPACE is not set: --after-switch reads the Service ${config.kubeService.name} through the Kubernetes API`]);
  }
  const { namespace, kubeconfig, context } = config.kube;
  const name = config.kubeService.name;
  const label = config.kubeService.colorLabel;
  const kc = new k8s.KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
    if (context) kc.setCurrentContext(context);
  } catch (e) {
    throw new ConfigError([`${config.envFile ?? config.env}: cannot load the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''}: ${(e as Error).message.split('\n')[0]}`]);
  }
  const api = kc.makeApiClient(k8s.CoreV1Api);
  let timer: NodeJS.Timeout | undefined;
  try {
    const svc = await Promise.race([
      api.readNamespacedService({ name, namespace }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const selector = svc.spec?.selector ?? {};
    return { ok: true, value: { service: name, namespace, label, colour: selector[label] ?? null, selector } };
  } catch (e) {
    const err = e as { code?: number; message?: string };
    const what = err.code === 404 ? `Service ${namespace}/${name} not found` : err.code === 403 ? `forbidden to read Service ${namespace}/${name} (the ServiceAccount needs get on services)` : (err.message ?? String(e)).split('\n')[0];
    return { ok: false, error: what ?? 'unknown error' };
  } finally {
    clearTimeout(timer);
  }
}

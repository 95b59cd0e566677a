/**
 * The embedded environment: for CREDLINK_TARGET=embedded the tool starts the reference target
 * (and what else the checks need locally) and rewrites the configuration to point at it.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { startKubeSim, type KubeSim } from '../k8s-sim/index.ts';
import type { ActiveFaults } from '../target/faults.ts';
import { DEFAULT_ALLOWED_ORIGINS, startReferenceTarget, type ReferenceTarget } from '../target/index.ts';

export interface EmbeddedStack {
  config: ResolvedConfig;
  target: ReferenceTarget;
  /** The Kubernetes API simulator, unless the environment names a real kubeconfig. */
  kube?: KubeSim;
  secrets: string[];
  stop(): Promise<void>;
}

export async function startEmbedded(
  config: ResolvedConfig,
  opts: { faults?: ActiveFaults; log?: (line: string) => void } = {},
): Promise<EmbeddedStack> {
  // The target (PostgreSQL first: most of the wait) and the Kubernetes simulator start side by side.
  let apiKeys: readonly string[] = [];
  const starting = startReferenceTarget({
    faults: opts.faults,
    databaseUrl: config.databaseUrl,
    allowedOrigins: config.allowedOrigins.length ? config.allowedOrigins : DEFAULT_ALLOWED_ORIGINS,
    environment: config.env,
    authFailLimit: { max: config.security.authFailLimit.max, windowMs: config.security.authFailLimit.windowS * 1000 },
    log: opts.log,
  }).then((t) => ((apiKeys = t.apiKeys.slice(0, 1)), t));
  // Kubernetes: the simulator, following the target's faults, unless the environment points
  // at a real kubeconfig (KUBECONFIG set): then the checks read that cluster unchanged.
  const simulating = config.kube?.kubeconfig
    ? undefined
    : startKubeSim({
        namespace: config.kube?.namespace,
        deployment: config.kube?.deployment,
        labelSelector: config.kube?.labelSelector,
        service: config.kube?.service,
        // The simulated application logs its API key at startup: diagnostics must scrub it.
        logSecrets: () => apiKeys,
      });
  const [t, k] = await Promise.allSettled([starting, simulating]);
  if (t.status === 'rejected' || k.status === 'rejected') {
    // One of them failed: the other one stops too, and the first failure is the run's.
    if (t.status === 'fulfilled') await t.value.stop();
    if (k.status === 'fulfilled') await k.value?.stop();
    throw t.status === 'rejected' ? t.reason : (k as PromiseRejectedResult).reason;
  }
  const target = t.value;
  const kube: KubeSim | undefined = k.value;
  if (kube) {
    kube.followFaults(target.faults());
    target.onFaults((f) => kube.followFaults(f));
  }
  const resolved: ResolvedConfig = {
    ...config,
    baseUrl: target.url,
    apiKeys: [...target.apiKeys],
    security: { ...config.security, restrictedApiKey: target.restrictedApiKey },
    allowedOrigins: [...target.allowedOrigins],
    databaseUrl: target.monitorDatabaseUrl,
    kube: kube
      ? { ...kube.settings, kubeconfig: kube.kubeconfig, context: undefined, eventWindowMin: config.kube?.eventWindowMin ?? 15 }
      : config.kube,
  };
  return {
    config: resolved,
    target,
    kube,
    secrets: [...target.secrets(), ...(kube ? [kube.token] : [])],
    stop: async () => {
      await kube?.stop();
      await target.stop();
    },
  };
}

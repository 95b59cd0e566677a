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
  const target = await startReferenceTarget({
    faults: opts.faults,
    databaseUrl: config.databaseUrl,
    allowedOrigins: config.allowedOrigins.length ? config.allowedOrigins : DEFAULT_ALLOWED_ORIGINS,
    environment: config.env,
    authFailLimit: { max: config.security.authFailLimit.max, windowMs: config.security.authFailLimit.windowS * 1000 },
    log: opts.log,
  });
  // Kubernetes: the simulator, following the target's faults, unless the environment points
  // at a real kubeconfig (KUBECONFIG set): then the checks read that cluster unchanged.
  let kube: KubeSim | undefined;
  if (!config.kube?.kubeconfig) {
    try {
      kube = await startKubeSim({
        namespace: config.kube?.namespace,
        deployment: config.kube?.deployment,
        labelSelector: config.kube?.labelSelector,
        service: config.kube?.service,
        // The simulated application logs its API key at startup: diagnostics must scrub it.
        logSecrets: target.apiKeys.slice(0, 1),
      });
    } catch (err) {
      await target.stop();
      throw err;
    }
    kube.followFaults(target.faults());
    target.onFaults((f) => kube!.followFaults(f));
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

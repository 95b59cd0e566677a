/**
 * The Kubernetes API simulator: no cluster can run here, so `local` and the tests read a
 * loopback server that answers like one. It follows the reference target's faults (see
 * scenarios.ts), writes a kubeconfig, and stops cleanly.
 */
import crypto from 'node:crypto';
import type { ActiveFaults } from '../target/faults.ts';
import { buildCluster, type ClusterOptions } from './cluster.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { scenariosFor, type Scenario } from './scenarios.ts';
import { KubeSimServer } from './server.ts';

export { SCENARIOS, SCENARIO_NAMES, scenariosFor, type Scenario } from './scenarios.ts';

export interface KubeSimOptions {
  namespace?: string;
  deployment?: string;
  labelSelector?: string;
  service?: string;
  logSecrets?: readonly string[];
}

export interface KubeSim {
  url: string;
  kubeconfig: string;
  token: string;
  settings: { namespace: string; deployment: string; labelSelector: string; service: string };
  scenarios(): ReadonlySet<Scenario>;
  setScenarios(s: Iterable<Scenario>): void;
  /** Requests received (method and path, last 1000). */
  requests(): readonly { method: string; path: string }[];
  /** Listener for ReferenceTarget.onFaults. */
  followFaults(f: ActiveFaults): void;
  stop(): Promise<void>;
}

export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  const settings = {
    namespace: opts.namespace ?? 'credlink',
    deployment: opts.deployment ?? 'credlink-api',
    labelSelector: opts.labelSelector ?? 'app=credlink-api',
    service: opts.service ?? 'credlink-api-service',
  };
  const clusterOpts: ClusterOptions = { ...settings, startedAt: Date.now(), logSecrets: opts.logSecrets };
  const token = crypto.randomBytes(24).toString('base64url');
  let active = new Set<Scenario>();
  const server = new KubeSimServer({ token, state: () => buildCluster(active, clusterOpts) });
  const url = await server.listen();
  const kc = writeKubeconfig(url, token, settings.namespace);
  return {
    url,
    kubeconfig: kc.file,
    token,
    settings,
    scenarios: () => active,
    requests: () => server.seen,
    setScenarios: (s) => void (active = new Set(s)),
    followFaults: (f) => void (active = scenariosFor(f)),
    async stop() {
      kc.remove();
      await server.close();
    },
  };
}

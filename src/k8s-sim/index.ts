/**
 * The Kubernetes API simulator: no cluster can run here, so `local` and the tests read a
 * loopback server that answers like one, over TLS with a CA of its own, for the monitor's
 * client and for kubectl alike. It follows the reference target's faults (see scenarios.ts),
 * writes a kubeconfig, and stops cleanly: everything it writes lives in one temporary
 * directory (kubeconfig, CA certificate, kubectl's discovery cache) that stop() removes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActiveFaults } from '../target/faults.ts';
import { buildCluster, type ClusterOptions } from './cluster.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { ownPath } from '../process/owned.ts';
import { scenariosFor, type Scenario } from './scenarios.ts';
import { KubeSimServer } from './server.ts';
import { createSimTls } from './tls.ts';

export { SCENARIOS, SCENARIO_NAMES, scenariosFor, type Scenario } from './scenarios.ts';

export interface KubeSimOptions {
  namespace?: string;
  deployment?: string;
  labelSelector?: string;
  service?: string;
  logSecrets?: readonly string[] | (() => readonly string[]);
}

export interface KubeSim {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The kubeconfig (mode 600): server, certificate-authority-data, bearer token, namespace. */
  kubeconfig: string;
  /** The simulator's temporary directory: kubeconfig, `ca.crt`, and `kubectl-cache/` for kubectl's discovery cache. */
  dir: string;
  /** PEM of the simulator's CA (public; also in `<dir>/ca.crt`). */
  caPem: string;
  token: string;
  settings: { namespace: string; deployment: string; labelSelector: string; service: string };
  scenarios(): ReadonlySet<Scenario>;
  setScenarios(s: Iterable<Scenario>): void;
  /** Requests received (method and path, last 1000). */
  requests(): readonly { method: string; path: string }[];
  /** Listener for ReferenceTarget.onFaults. */
  followFaults(f: ActiveFaults): void;
  /** Environment for running kubectl against the simulator (KUBECONFIG, KUBECACHEDIR inside `dir`). */
  kubectlEnv(): Record<string, string>;
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
  const tls = createSimTls();
  let active = new Set<Scenario>();
  let version = 1000;
  const switchTo = (next: Set<Scenario>) => {
    const same = next.size === active.size && [...next].every((s) => active.has(s));
    if (!same) version += 1;
    active = next;
  };
  const server = new KubeSimServer({ token, tls: { cert: tls.certPem, key: tls.keyPem }, state: () => buildCluster(active, clusterOpts), version: () => version });
  const url = await server.listen();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-kube-'));
  // Holds the token (kubeconfig): removed by stop(), and at exit whatever ends the process (src/process/owned.ts).
  const owned = ownPath(dir);
  let kubeconfig: string;
  try {
    fs.writeFileSync(path.join(dir, 'ca.crt'), tls.caPem, { mode: 0o644 });
    kubeconfig = writeKubeconfig(dir, { server: url, token, namespace: settings.namespace, caPem: tls.caPem });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    owned.release();
    await server.close();
    throw err;
  }
  return {
    url,
    kubeconfig,
    dir,
    caPem: tls.caPem,
    token,
    settings,
    scenarios: () => active,
    requests: () => server.seen,
    setScenarios: (s) => switchTo(new Set(s)),
    followFaults: (f) => switchTo(scenariosFor(f)),
    kubectlEnv: () => ({ KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'kubectl-cache') }),
    async stop() {
      fs.rmSync(dir, { recursive: true, force: true });
      owned.release();
      await server.close();
    },
  };
}

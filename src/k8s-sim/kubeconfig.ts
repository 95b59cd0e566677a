/**
 * Writes a kubeconfig for the simulator: one cluster (its https URL and the CA that signed
 * its certificate, as certificate-authority-data: clients verify the server as they verify a
 * real cluster), one bearer-token user, one context. The file is mode 600 in the simulator's
 * own temporary directory (removed by its stop()); the token is a secret of the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export const SIM_CONTEXT = 'credlink-sim';

export interface KubeconfigParts {
  server: string;
  token: string;
  namespace: string;
  /**
   * PEM of the CA that signed the server's certificate. Without it (only for test doubles on
   * plain http://) TLS verification is switched off, which @kubernetes/client-node requires
   * for http:// servers; the simulator always passes its CA.
   */
  caPem?: string;
}

export function kubeconfigYaml(p: KubeconfigParts): string {
  const cluster = p.caPem
    ? { server: p.server, 'certificate-authority-data': Buffer.from(p.caPem).toString('base64') }
    : { server: p.server, 'insecure-skip-tls-verify': true };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'credlink-sim', cluster }],
    users: [{ name: 'credlink-checks', user: { token: p.token } }],
    contexts: [{ name: SIM_CONTEXT, context: { cluster: 'credlink-sim', user: 'credlink-checks', namespace: p.namespace } }],
    'current-context': SIM_CONTEXT,
  });
}

/** Writes `kubeconfig.yaml` (mode 600) into `dir` and returns its path. */
export function writeKubeconfig(dir: string, p: KubeconfigParts): string {
  const file = path.join(dir, 'kubeconfig.yaml');
  fs.writeFileSync(file, kubeconfigYaml(p), { mode: 0o600 });
  return file;
}

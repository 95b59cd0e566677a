/**
 * Writes a kubeconfig for the simulator: one cluster, one bearer-token user, one context.
 * The file is mode 600 in its own temporary directory; the token is a secret of the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ownPath } from '../process/owned.ts';

export const SIM_CONTEXT = 'credlink-sim';

export function kubeconfigYaml(server: string, token: string, namespace: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // Plain HTTP on loopback: @kubernetes/client-node refuses http:// servers unless TLS
    // verification is off, and there is no TLS to verify.
    clusters: [{ name: 'credlink-sim', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'credlink-monitor', user: { token } }],
    contexts: [{ name: SIM_CONTEXT, context: { cluster: 'credlink-sim', user: 'credlink-monitor', namespace } }],
    'current-context': SIM_CONTEXT,
  });
}

/** Returns the file path and a function that removes it (also removed at exit, whatever ends the process). */
export function writeKubeconfig(server: string, token: string, namespace: string): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-kube-'));
  const owned = ownPath(dir);
  const file = path.join(dir, 'kubeconfig.yaml');
  fs.writeFileSync(file, kubeconfigYaml(server, token, namespace), { mode: 0o600 });
  return {
    file,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      owned.release();
    },
  };
}

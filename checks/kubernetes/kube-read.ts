/**
 * How a Kubernetes check reads the API: a failed read becomes a clear finding, never a crash.
 * - 403: a monitoring gap naming the missing permission (SEV-3);
 * - unreachable / timeout / bad kubeconfig: a monitoring gap saying so;
 * - with ACCESS_COVERED (what checks use), those two skip instead, naming k8s.access, which
 *   reports them once: a missing permission or a dead API is one finding, not eleven.
 */
import { test, type Check } from '../fixtures.ts';
import type { KubeClient } from '../../src/k8s/client.ts';
import { classifyKubeError, type KubeFailure, type KubeFailureKind } from '../../src/k8s/errors.ts';
import type { Impact } from '../../src/triage/impact.ts';

/** The API as a whole is out of reach (as opposed to one resource being forbidden or missing). */
export const API_DOWN: readonly KubeFailureKind[] = ['unreachable', 'timeout', 'config'];

export function gapOf(f: KubeFailure, namespace: string, what: string): Impact | undefined {
  if (f.kind === 'forbidden') {
    const m = /cannot (\w+) resource "([^"]+)"(?: subresource "(\w+)")?/.exec(f.line);
    const missing = m ? `${m[1]} ${m[2]}${m[3] ? `/${m[3]}` : ''}` : what;
    return { kind: 'gap', reason: `the monitor's service account cannot ${missing} in namespace ${namespace}` };
  }
  if (API_DOWN.includes(f.kind)) return { kind: 'gap', reason: `the monitor cannot reach the Kubernetes API (${f.kind}): ${f.line}` };
  return undefined;
}

export interface ReadOptions {
  /** Failure kinds for which this check skips because `coveredBy` reports them. */
  skipOn?: readonly KubeFailureKind[];
  coveredBy?: string;
}

export async function kubeRead<T>(check: Check, kube: KubeClient, what: string, fn: () => Promise<T>, opts: ReadOptions = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const f = classifyKubeError(err, what);
    if (opts.skipOn?.includes(f.kind)) test.skip(true, `${opts.coveredBy ?? 'another check'} reports it: ${f.line}`);
    check.that({ label: 'KUBERNETES API', ok: false, actual: f.line, expected: `${what} succeeds`, call: `${what} (${kube.where})`, impact: gapOf(f, kube.namespace, what) });
    throw err;
  }
}

/** Missing permissions and a dead API are reported once, by k8s.access; the other checks skip. */
export const ACCESS_COVERED: ReadOptions = { skipOn: ['forbidden', ...API_DOWN], coveredBy: 'k8s.access' };

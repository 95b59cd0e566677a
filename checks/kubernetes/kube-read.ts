/**
 * How a Kubernetes check reads the API: a failed read becomes a clear finding, never a crash.
 * - 403: a monitoring gap naming the missing permission (SEV-3);
 * - unreachable / timeout / bad kubeconfig: a monitoring gap saying so;
 * - a check whose data another check already reports missing skips, naming that check, so a
 *   missing permission or a dead API is one finding, not eleven.
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
  /** For 404: the monitoring gap it means (e.g. metrics.k8s.io not served). */
  notFoundGap?: string;
}

export async function kubeRead<T>(check: Check, kube: KubeClient, what: string, fn: () => Promise<T>, opts: ReadOptions = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const f = classifyKubeError(err, what);
    if (opts.skipOn?.includes(f.kind)) test.skip(true, `${opts.coveredBy ?? 'another check'} reports it: ${f.line}`);
    const impact = f.kind === 'not-found' && opts.notFoundGap ? ({ kind: 'gap', reason: opts.notFoundGap } as const) : gapOf(f, kube.namespace, what);
    check.that({ label: 'KUBERNETES API', ok: false, actual: f.line, expected: `${what} succeeds`, call: `${what} (${kube.where})`, impact });
    throw err;
  }
}

/** Options for checks that read pods after k8s.pods-ready: it reports missing access to pods. */
export const PODS_COVERED: ReadOptions = { skipOn: ['forbidden', ...API_DOWN], coveredBy: 'k8s.pods-ready' };
/** Options for checks on other resources: a dead API is reported once, by k8s.pods-ready. */
export const API_COVERED: ReadOptions = { skipOn: API_DOWN, coveredBy: 'k8s.pods-ready' };

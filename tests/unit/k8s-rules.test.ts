/**
 * Pure Kubernetes rules, table-driven: kubectl's rollout-status rules, pod readiness, back-off,
 * restarts and OOM classification, quantities, label selectors, API error classification.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, type V1ContainerStatus, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { classifyKubeError } from '../../src/k8s/errors.ts';
import { badWaitingReason, isRunningAndReady, oomOf, podLimits, restartedWithin } from '../../src/k8s/pods.ts';
import { parseQuantity } from '../../src/k8s/quantity.ts';
import { rolloutStatus } from '../../src/k8s/rollout.ts';
import { matches } from '../../src/k8s-sim/selector.ts';

const dep = (generation: number, spec: number, s: Record<string, unknown>, progressing?: string): V1Deployment => ({
  metadata: { name: 'api', generation },
  spec: { replicas: spec, selector: {}, template: {} },
  status: { ...s, conditions: progressing ? [{ type: 'Progressing', status: 'False', reason: progressing }] : [] },
});

test('rollout status: kubectl rules in kubectl order', () => {
  const table: [V1Deployment, boolean, boolean, RegExp][] = [
    [dep(2, 3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), true, false, /successfully rolled out/],
    [dep(3, 3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), false, false, /spec update to be observed/],
    [dep(3, 3, { observedGeneration: 3, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }, 'ProgressDeadlineExceeded'), false, true, /exceeded its progress deadline/],
    [dep(3, 3, { observedGeneration: 3, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }), false, false, /1 out of 3 new replicas have been updated/],
    [dep(3, 3, { observedGeneration: 3, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), false, false, /1 old replicas are pending termination/],
    [dep(3, 3, { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }), false, false, /1 of 3 updated replicas are available/],
    // The deadline only counts once the new generation is observed.
    [dep(4, 3, { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 'ProgressDeadlineExceeded'), false, false, /spec update to be observed/],
  ];
  for (const [d, done, stuck, msg] of table) {
    const r = rolloutStatus(d);
    assert.equal(r.done, done, r.message);
    assert.equal(r.stuck, stuck, r.message);
    assert.match(r.message, msg);
  }
});

const cs = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: 'api', image: 'x', imageID: '', ready: true, restartCount: 0, ...s });
const pod = (phase: string, ready: boolean, statuses: V1ContainerStatus[] = [cs({})], deleting = false): V1Pod => ({
  metadata: { name: 'p', deletionTimestamp: deleting ? new Date() : undefined },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: statuses },
});

test('pods: Running and Ready, back-off reasons', () => {
  assert.equal(isRunningAndReady(pod('Running', true)), true);
  assert.equal(isRunningAndReady(pod('Running', false)), false);
  assert.equal(isRunningAndReady(pod('Pending', true)), false);
  assert.equal(isRunningAndReady(pod('Running', true, undefined, true)), false, 'terminating');
  assert.equal(badWaitingReason(pod('Running', false, [cs({ state: { waiting: { reason: 'CrashLoopBackOff' } } })])), 'CrashLoopBackOff');
  assert.equal(badWaitingReason(pod('Pending', false, [cs({ state: { waiting: { reason: 'ImagePullBackOff' } } })])), 'ImagePullBackOff');
  assert.equal(badWaitingReason(pod('Pending', false, [cs({ state: { waiting: { reason: 'ContainerCreating' } } })])), undefined);
});

test('pods: OOMKilled is confirmed, exit 137 without a reason only possible', () => {
  const term = (exitCode: number, reason?: string) => cs({ lastState: { terminated: { exitCode, reason } } });
  assert.equal(oomOf(term(137, 'OOMKilled'))?.verdict, 'confirmed');
  assert.equal(oomOf(term(137))?.verdict, 'possible');
  assert.equal(oomOf(term(137, 'Error')), undefined, 'a SIGKILL with another reason is not called an OOM');
  assert.equal(oomOf(term(1, 'Error')), undefined);
  assert.equal(oomOf(cs({ state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }))?.verdict, 'confirmed');
});

test('pods: restarts grow when the last termination is inside the window, or the container is in back-off', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const restarted = (minutesAgo: number, restartCount = 2) =>
    pod('Running', true, [cs({ restartCount, lastState: { terminated: { exitCode: 1, finishedAt: new Date(now - minutesAgo * 60_000) } } })]);
  assert.ok(restartedWithin(restarted(5), 15 * 60_000, now));
  assert.equal(restartedWithin(restarted(60), 15 * 60_000, now), undefined, 'old restarts are history, not growth');
  assert.equal(restartedWithin(restarted(5, 0), 15 * 60_000, now), undefined);
  assert.ok(restartedWithin(pod('Running', false, [cs({ restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } })]), 60_000, now));
});

test('quantities: memory and CPU as the API writes them', () => {
  const table: [string, number][] = [
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1000Ki', 1_024_000],
    ['1G', 1e9],
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['123456789n', 0.123456789],
    ['500u', 0.0005],
    ['1e3', 1000],
  ];
  for (const [q, v] of table) assert.ok(Math.abs(parseQuantity(q)! - v) < 1e-9, `${q} -> ${parseQuantity(q)}`);
  assert.equal(parseQuantity(undefined), undefined);
  assert.throws(() => parseQuantity('12 apples'));
});

test('pod limits: summed over containers; unknown when any container has none', () => {
  const withLimits = (...limits: (Record<string, string> | undefined)[]): V1Pod => ({
    spec: { containers: limits.map((l, i) => ({ name: `c${i}`, resources: l ? { limits: l } : {} })) },
  });
  assert.deepEqual(podLimits(withLimits({ memory: '1Gi', cpu: '500m' }, { memory: '512Mi', cpu: '250m' })), { memory: 1.5 * 2 ** 30, cpu: 0.75 });
  assert.deepEqual(podLimits(withLimits({ memory: '1Gi' }, undefined)), { memory: undefined, cpu: undefined });
});

test('label selectors: equality, set and existence', () => {
  const l = { app: 'credlink-api', environment: 'blue' };
  assert.ok(matches('app=credlink-api', l));
  assert.ok(matches('app==credlink-api,environment!=green', l));
  assert.ok(!matches('app=credlink-api,environment=green', l));
  assert.ok(matches('environment in (blue,green)', l));
  assert.ok(!matches('environment notin (blue)', l));
  assert.ok(matches('app,!canary', l));
  assert.ok(matches(undefined, l));
});

test('API errors: 403 is forbidden with the server message, network errors are unreachable', () => {
  const forbidden = new ApiException(403, 'Forbidden', JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "x" cannot list resource "pods"' }), {});
  assert.deepEqual(classifyKubeError(forbidden, 'list pods'), { kind: 'forbidden', code: 403, line: 'pods is forbidden: User "x" cannot list resource "pods"' });
  assert.equal(classifyKubeError(new ApiException(404, 'NotFound', '{}', {}), 'get deployment').kind, 'not-found');
  assert.equal(classifyKubeError(Object.assign(new Error('request to http://x failed, reason: connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'list pods').kind, 'unreachable');
  assert.equal(classifyKubeError(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' }), 'list pods').kind, 'timeout');
});

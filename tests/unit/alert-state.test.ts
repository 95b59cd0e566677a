/** The alert state machine (src/alerting/decide.ts), as a table: observations in -> actions out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, DEFAULT_POLICY, INITIAL_STATE, type AlertPolicy, type AlertState, type Observation } from '../../src/alerting/decide.ts';
import type { Severity } from '../../runbooks/severity.ts';

const F = (severity: Severity = 'SEV-2'): Observation => ({ kind: 'fail', severity });
const P: Observation = { kind: 'pass' };

/** Runs the observations from the initial state; returns the actions as short strings, '-' for none. */
function play(obs: Observation[], policy: AlertPolicy = DEFAULT_POLICY, from: AlertState = INITIAL_STATE): { actions: string[]; state: AlertState } {
  let state = from;
  const actions: string[] = [];
  for (const o of obs) {
    const d = decide(state, o, policy, '2026-01-01T00:00:00.000Z');
    state = d.state;
    actions.push(d.action ? `${d.action.kind}${'severity' in d.action ? ` ${d.action.severity}` : ''}` : '-');
  }
  return { actions, state };
}

const table: [name: string, obs: Observation[], expected: string[], policy?: AlertPolicy][] = [
  ['N-1 failures then a pass: no page', [F(), F(), P], ['-', '-', '-']],
  ['N failures: exactly one trigger', [F(), F(), F(), F(), F()], ['-', '-', 'trigger SEV-2', '-', '-']],
  ['M successes after a trigger: exactly one resolve', [F(), F(), F(), P, P, P, P], ['-', '-', 'trigger SEV-2', '-', 'resolve', '-', '-']],
  ['one pass inside an incident does not resolve', [F(), F(), F(), P, F(), P, P], ['-', '-', 'trigger SEV-2', '-', '-', '-', 'resolve']],
  ['alternating fail/pass: no page', [F(), P, F(), P, F(), P, F(), P], ['-', '-', '-', '-', '-', '-', '-', '-']],
  ['SEV-0 triggers at once', [F('SEV-0'), F('SEV-0'), P, P], ['trigger SEV-0', '-', '-', 'resolve']],
  ['SEV-1 waits for N by default', [F('SEV-1'), F('SEV-1'), F('SEV-1')], ['-', '-', 'trigger SEV-1']],
  ['immediate at SEV-1 when configured', [F('SEV-1')], ['trigger SEV-1'], { triggerAfter: 3, resolveAfter: 2, immediateAt: 'SEV-1' }],
  ['immediate disabled: SEV-0 waits too', [F('SEV-0'), F('SEV-0')], ['-', 'trigger SEV-0'], { triggerAfter: 2, resolveAfter: 1, immediateAt: null }],
  ['worse severity while open escalates once; milder does not', [F('SEV-2'), F('SEV-2'), F('SEV-2'), F('SEV-1'), F('SEV-1'), F('SEV-2')], ['-', '-', 'trigger SEV-2', 'escalate SEV-1', '-', '-']],
  ['a fresh incident after a resolve', [F(), F(), F(), P, P, F(), F(), F()], ['-', '-', 'trigger SEV-2', '-', 'resolve', '-', '-', 'trigger SEV-2']],
  ['N=1, M=1', [F('SEV-3'), P], ['trigger SEV-3', 'resolve'], { triggerAfter: 1, resolveAfter: 1, immediateAt: 'SEV-0' }],
  ['passes with no incident do nothing', [P, P, P], ['-', '-', '-']],
];

for (const [name, obs, expected, policy] of table) {
  test(`alert state: ${name}`, () => {
    assert.deepEqual(play(obs, policy).actions, expected);
  });
}

test('alert state: counters and incident fields', () => {
  const { state } = play([F('SEV-1'), F('SEV-1'), F('SEV-1'), P]);
  assert.deepEqual(state, { failures: 0, successes: 1, open: true, severity: 'SEV-1', openedAt: '2026-01-01T00:00:00.000Z' });
  const closed = play([P], DEFAULT_POLICY, state).state;
  assert.deepEqual(closed, { failures: 0, successes: 2, open: false, severity: null, openedAt: null });
});

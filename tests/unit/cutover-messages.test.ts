/** What cutover tells the operator to do, by situation (src/cutover/cutover.ts renderCutover): a table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCutover, type CutoverVerdict } from '../../src/cutover/cutover.ts';

const base: CutoverVerdict = { decision: 'GO', blue: 'blue', green: 'green', afterSwitch: false, blocking: [], passed: [], rollback: 'kubectl patch service api -n prod -p x', rehearsal: false, greenReport: null, latency: [] };
const selectorOnBlue = { part: 'selector', severity: 'SEV-1' as const, text: 'Service prod/api selects environment=blue, not green: traffic still goes to blue' };
const publicDown = { part: 'public-url', severity: 'SEV-0' as const, text: 'GET https://api.example/health answered 503' };

test('cutover: the last line says what to do, and never "roll back" when traffic never left blue', () => {
  const cases: { name: string; v: Partial<CutoverVerdict>; says: RegExp; never?: RegExp }[] = [
    { name: 'GO before the switch', v: {}, says: /^Safe to switch .*then run again with --after-switch\. Rollback if needed: kubectl patch/m },
    { name: 'GO after the switch', v: { afterSwitch: true }, says: /^Green serves production\. Rollback if needed: kubectl patch/m },
    { name: 'NO-GO before the switch', v: { decision: 'NO-GO', blocking: [publicDown] }, says: /^Do not switch; if already switched, roll back: kubectl patch/m },
    {
      name: 'NO-GO after the switch, the Service still on blue',
      v: { decision: 'NO-GO', afterSwitch: true, blocking: [selectorOnBlue], notSwitched: { service: 'prod/api', selector: 'environment=blue' } },
      says: /^The switch did not happen: Service prod\/api still selects environment=blue, so traffic never left blue and there is nothing to roll back\. Switch it .*, then run again with --after-switch\.$/m,
      never: /roll back now/i,
    },
    { name: 'NO-GO after the switch, green serving badly', v: { decision: 'NO-GO', afterSwitch: true, blocking: [publicDown] }, says: /^Roll back now: kubectl patch service api -n prod -p x$/m },
    { name: 'NO-GO after the switch in a rehearsal', v: { decision: 'NO-GO', afterSwitch: true, rehearsal: true, blocking: [selectorOnBlue], notSwitched: { service: 'credlink/api', selector: 'environment=blue' } }, says: /^Rehearsal on the embedded target: nothing was switched/m, never: /roll back now/i },
  ];
  for (const c of cases) {
    const text = renderCutover({ ...base, ...c.v });
    assert.match(text, c.says, c.name);
    if (c.never) assert.doesNotMatch(text, c.never, c.name);
  }
});

test('cutover: a passing line ends with what was found, not a severity', () => {
  const text = renderCutover({
    ...base,
    passed: [
      { part: 'p95', severity: 'SEV-3', text: 'GET /health: blue p95 12 ms, green p95 11 ms: green is not slower (SEV-3)' },
      { part: 'suite', severity: 'SEV-3', text: 'green passes the suite: 40 passed, 0 incident(s) below SEV-2, 3 skipped' },
    ],
  });
  assert.match(text, /^ {2}ok p95: GET \/health: blue p95 12 ms, green p95 11 ms: green is not slower$/m);
  assert.match(text, /^ {2}ok suite: green passes the suite: 40 passed, 0 incident\(s\) below SEV-2, 3 skipped$/m);
  for (const line of text.split('\n').filter((l) => l.startsWith('  ok '))) assert.doesNotMatch(line, /\(SEV-\d\)$/);
});

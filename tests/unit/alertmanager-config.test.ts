/**
 * The inhibit rules of deploy/alertmanager/alertmanager.yml are generated from the correlation
 * data (runbooks/dependencies.ts) and cannot drift from it: the shipped file holds exactly what
 * inhibitRules() generates. What they inhibit follows the data's own precedence: never each
 * other, never itself, and a row per expectation a responder would have.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import YAML from 'yaml';
import { dependencyRules } from '../../runbooks/dependencies.ts';
import { inhibitRules, renderInhibitRules, withInhibitRules, type InhibitRule } from '../../src/alertmanager/inhibit-rules.ts';
import { ALERTMANAGER_EXAMPLE } from '../helpers/alertmanager.ts';

const shipped = fs.readFileSync(ALERTMANAGER_EXAMPLE, 'utf8');
const generated = inhibitRules();

test('the shipped inhibit rules are the generated ones (npm run alertmanager:inhibit rewrites them)', () => {
  const parsed = (YAML.parse(shipped) as { inhibit_rules: Omit<InhibitRule, 'comment'>[] }).inhibit_rules;
  assert.deepEqual(parsed, generated.map(({ comment: _c, ...r }) => r), 'deploy/alertmanager/alertmanager.yml is out of date: run npm run alertmanager:inhibit');
  assert.equal(withInhibitRules(shipped), shipped, 'the generated block (comments included) is as rendered');
  assert.ok(shipped.includes(renderInhibitRules(generated)));
});

/** Keys (regular expressions) a dependency rule's incident inhibits. */
function inhibitedBy(key: string): RegExp | undefined {
  const r = generated.find((x) => x.source_matchers.includes(`incident_key="${key}"`));
  const m = r && /^incident_key=~"(.*)"$/.exec(r.target_matchers.find((t) => t.startsWith('incident_key=~'))!);
  return m ? new RegExp(`^(?:${m[1]!.replace(/\\\\/g, '\\')})$`) : undefined;
}
const inhibits = (source: string, target: string) => inhibitedBy(source)?.test(target) ?? false;

test('what a root cause firing at one location silences of what other locations saw', () => {
  const rows: [source: string, target: string, inhibited: boolean, why: string][] = [
    ['outage', 'symptom:error-rate', true, 'a location that saw only the error rate during the outage'],
    ['outage', 'symptom:slow-responses', true, 'slow answers follow the outage'],
    ['outage', 'route-failing:POST /api/v1/sign', true, 'one route failing is part of everything failing'],
    ['outage', 'check:health.root', true, 'one health endpoint failing elsewhere'],
    ['outage', 'symptom:unauthorized-access', false, 'a breach is never a consequence: class matters'],
    ['outage', 'database-unreachable', false, 'the database is the cause, not a consequence, of the outage'],
    ['outage', 'monitoring-gap:prometheus', false, 'the monitor not reaching Prometheus is its own gap'],
    ['database-unreachable', 'outage', true, 'the database explains the 5xx (the daemon evaluates it first)'],
    ['database-unreachable', 'symptom:error-rate', true, 'and the error rate'],
    ['health-misreports:database', 'check:health.database-reported', true, 'the health document saying the database is down'],
    ['health-misreports:database', 'database-unreachable', false, 'a monitoring gap never silences a database incident'],
    ['health-misreports:database', 'route-failing:GET /health', false, 'it explains one check, not every route'],
    ['monitoring-gap:kubernetes', 'check:k8s.pods-ready', true, 'the monitor cannot read pods'],
    ['monitoring-gap:kubernetes', 'outage', false, 'a blind monitor explains no outage'],
    ['cpu', 'symptom:slow-responses', true, 'CPU saturation explains slow answers'],
    ['database-unreachable', 'database-saturated', false, 'one key formed before and after saturation: neither silences the other'],
    ['database-saturated', 'database-unreachable', false, 'the same pair the other way'],
  ];
  for (const [source, target, inhibited, why] of rows) assert.equal(inhibits(source, target), inhibited, `${source} -> ${target}: ${why}`);
});

test('precedence: no incident inhibits itself, no two incidents inhibit each other', () => {
  const keys = [...new Set(dependencyRules.filter((r) => !r.equal?.includes('route')).map((r) => r.incident.key))];
  for (const a of keys) {
    assert.equal(inhibits(a, a), false, `${a} inhibits itself`);
    for (const b of keys) if (a !== b) assert.ok(!(inhibits(a, b) && inhibits(b, a)), `${a} and ${b} inhibit each other: both would be silent`);
  }
});

test('an incident speaks for its checks; the most severe view of an incident speaks', () => {
  assert.deepEqual(generated[0], {
    comment: generated[0]!.comment,
    source_matchers: ['alertname="CredlinkIncident"'],
    target_matchers: ['alertname="CredlinkCheckFailing"'],
    equal: ['env', 'incident'],
  });
  const severity = generated.filter((r) => r.comment.startsWith('severity'));
  assert.deepEqual(
    severity.map((r) => [r.source_matchers[1], r.target_matchers[1]]),
    [
      ['severity="SEV-0"', 'severity=~"SEV-1|SEV-2|SEV-3"'],
      ['severity="SEV-1"', 'severity=~"SEV-2|SEV-3"'],
      ['severity="SEV-2"', 'severity=~"SEV-3"'],
    ],
  );
  for (const r of severity) assert.deepEqual(r.equal, ['env', 'incident']);
});

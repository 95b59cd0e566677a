import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogEntry } from '../../runbooks/catalog.ts';
import { decideSeverity } from '../../src/triage/severity-policy.ts';
import type { Impact } from '../../src/triage/impact.ts';

const entry: CatalogEntry = { title: 't', section: 'service-unavailable', severity: 'SEV-2' };

const table: [string, Impact | undefined, { down: number; total: number } | undefined, string][] = [
  ['no impact -> catalog default', undefined, undefined, 'SEV-2'],
  ['all health endpoints down -> complete outage', { kind: 'unavailable', status: 503 }, { down: 3, total: 3 }, 'SEV-0'],
  ['2 of 3 down -> more than half', { kind: 'unavailable', status: 502 }, { down: 2, total: 3 }, 'SEV-1'],
  ['1 of 3 down -> less than half', { kind: 'unavailable', status: null }, { down: 1, total: 3 }, 'SEV-2'],
  ['exactly half down -> not more than half', { kind: 'unavailable', status: 503 }, { down: 1, total: 2 }, 'SEV-2'],
  ['unavailable without a group -> default', { kind: 'unavailable', status: 503 }, undefined, 'SEV-2'],
  ['every unit affected', { kind: 'affected', fraction: 1 }, undefined, 'SEV-0'],
  ['60% affected', { kind: 'affected', fraction: 0.6 }, undefined, 'SEV-1'],
  ['10% affected', { kind: 'affected', fraction: 0.1 }, undefined, 'SEV-2'],
  ['performance 51% worse', { kind: 'degradation', percent: 51 }, undefined, 'SEV-1'],
  ['performance exactly 50% worse', { kind: 'degradation', percent: 50 }, undefined, 'SEV-2'],
  ['performance 20% worse', { kind: 'degradation', percent: 20 }, undefined, 'SEV-2'],
  ['performance 19% worse', { kind: 'degradation', percent: 19 }, undefined, 'SEV-3'],
  ['critical threshold', { kind: 'threshold', tier: 'critical', value: 6000, limit: 5000 }, undefined, 'SEV-1'],
  ['warning threshold', { kind: 'threshold', tier: 'warning', value: 2500, limit: 2000 }, undefined, 'SEV-2'],
  ['breach', { kind: 'security', class: 'breach' }, undefined, 'SEV-0'],
  ['vulnerability', { kind: 'security', class: 'vulnerability' }, undefined, 'SEV-1'],
  ['non-critical security issue', { kind: 'security', class: 'issue' }, undefined, 'SEV-2'],
  ['hardening gap', { kind: 'security', class: 'hardening' }, undefined, 'SEV-3'],
  ['monitoring gap', { kind: 'gap', reason: 'no data' }, undefined, 'SEV-3'],
];

for (const [name, impact, group, want] of table) {
  test(`severity policy: ${name} = ${want}`, () => {
    const d = decideSeverity(entry, impact, group);
    assert.equal(d.severity, want);
    assert.ok(d.rule.length > 0);
  });
}

test('severity policy: every threshold rule prints the measured value and the limit it crossed, in its unit', () => {
  const rate: CatalogEntry = { title: 't', section: 'high-error-rate', severity: 'SEV-2', threshold: 'errorRate' };
  const time: CatalogEntry = { title: 't', section: 'slow-responses', severity: 'SEV-2', threshold: 'responseTimeMs' };
  assert.equal(decideSeverity(rate, { kind: 'threshold', tier: 'critical', value: 0.08, limit: 0.05, scope: 'GET /api/v1/status' }).rule, 'critical threshold crossed (8% on GET /api/v1/status > 5%): significant degradation (SEV-1)');
  assert.equal(decideSeverity(rate, { kind: 'threshold', tier: 'warning', value: 0.047, limit: 0.01 }).rule, 'warning threshold crossed (4.7% > 1%): minor degradation (SEV-2)');
  assert.equal(decideSeverity(time, { kind: 'threshold', tier: 'warning', value: 2500.4, limit: 2000 }).rule, 'warning threshold crossed (2500 ms > 2000 ms): minor degradation (SEV-2)');
  assert.doesNotMatch(decideSeverity(rate, { kind: 'threshold', tier: 'warning', value: 0.012, limit: 0.01 }).rule, /\(0 > /);
});

test('severity policy: intermittent failures of a one-shot request are SEV-3 in High Error Rate, never an outage', () => {
  const d = decideSeverity(entry, { kind: 'intermittent', call: 'GET /health', failed: 1, attempts: 2 }, { down: 0, total: 3 });
  assert.equal(d.severity, 'SEV-3');
  assert.equal(d.section, 'high-error-rate');
  assert.match(d.rule, /1 of 2 answers to GET \/health failed/);
});

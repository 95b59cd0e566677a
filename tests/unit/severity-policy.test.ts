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

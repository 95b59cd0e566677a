/** Alert bodies stay inside the receivers' limits whatever a finding says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dedupKey, legacyDedupKey, PAGERDUTY_SEVERITY, pagerDutyTrigger, slackTrigger, type AlertContent } from '../../src/alerting/payloads.ts';

const long = (n: number) => 'x'.repeat(n);
const content: AlertContent = {
  env: 'production',
  incidentId: 'production/outage',
  dedupKey: 'credlink-checks/production/outage',
  rootCheckId: 'health.root',
  title: long(400),
  severity: 'SEV-0',
  severityRule: long(2000),
  section: { title: long(300), anchor: 'a' },
  sectionUrl: 'RUNBOOK.md#a',
  message: `<script>&${long(5000)}`,
  immediateActions: Array.from({ length: 40 }, (_, i) => ({ step: `step ${i} ${long(200)}`, command: long(200), writes: i % 2 === 0 })),
  consequences: Array.from({ length: 60 }, (_, i) => `check.${i}: ${long(100)}`),
  evidence: Array.from({ length: 30 }, () => long(200)),
  runId: 'r',
  baseUrl: 'https://x',
  report: 'reports/production/r/index.html',
};

test('PagerDuty: summary <= 1024, severity mapping, dedup key <= 255 and stable', () => {
  const e = pagerDutyTrigger(content, '2026-01-01T00:00:00.000Z') as { payload: { summary: string; severity: string }; links?: unknown };
  assert.equal(e.payload.summary.length, 1024);
  assert.equal(e.payload.severity, 'critical');
  assert.equal(e.links, undefined, 'no link for a relative runbook address');
  assert.deepEqual(PAGERDUTY_SEVERITY, { 'SEV-0': 'critical', 'SEV-1': 'error', 'SEV-2': 'warning', 'SEV-3': 'info' });
  const k = dedupKey(`${long(300)}/outage`);
  assert.ok(k.length <= 255);
  assert.equal(k, dedupKey(`${long(300)}/outage`));
  assert.notEqual(k, dedupKey(`${long(300)}/check:health.status`));
  assert.equal(dedupKey('staging/outage'), 'credlink-checks/staging/outage', 'readable: the incident id itself');
  assert.equal(legacyDedupKey('staging', 'health.root'), 'credlink-checks/staging/health.root', 'the key of alert state version 1');
  assert.ok(legacyDedupKey(long(300), 'health.root').length <= 255);
});

test('Slack: header <= 150, sections <= 3000, fields <= 2000, <= 50 blocks, mrkdwn escaped', () => {
  const m = slackTrigger(content) as { blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[] };
  assert.ok(m.blocks.length <= 50);
  for (const b of m.blocks) {
    if (b.type === 'header') assert.ok(b.text!.text.length <= 150);
    if (b.text) assert.ok(b.text.text.length <= 3000);
    for (const f of b.fields ?? []) assert.ok(f.text.length <= 2000);
    for (const e of b.elements ?? []) assert.ok(e.text.length <= 3000);
  }
  assert.match(JSON.stringify(m), /&lt;script&gt;&amp;/);
  assert.doesNotMatch(JSON.stringify(m), /<script>/);
});

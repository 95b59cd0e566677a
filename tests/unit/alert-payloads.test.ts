/** Alert bodies stay inside the receivers' limits whatever a finding says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dedupKey, legacyDedupKey, PAGERDUTY_SEVERITY, pagerDutyTrigger, sectionUrl, slackResolve, slackTrigger, type AlertContent } from '../../src/alerting/payloads.ts';

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
  sectionUrl: undefined,
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
  assert.equal(e.links, undefined, 'no runbook URL configured: no link');
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

test('the runbook is linked only when its URL is configured: never a dead RUNBOOK.md#anchor', () => {
  assert.equal(sectionUrl(undefined, 'incident-service-unavailable'), undefined);
  assert.equal(sectionUrl('https://git.example/ops/RUNBOOK.md#old', 'incident-service-unavailable'), 'https://git.example/ops/RUNBOOK.md#incident-service-unavailable');
  const plain = { ...content, title: 'Service unavailable', section: { title: 'Incident: Service Unavailable', anchor: 'incident-service-unavailable' }, sectionUrl: undefined };
  const slack = JSON.stringify(slackTrigger(plain));
  assert.doesNotMatch(slack, /RUNBOOK\.md|<[^|>]*\|Incident: Service Unavailable>/, 'named, not linked');
  assert.match(slack, /\*Runbook\*\\nIncident: Service Unavailable/);
  const pd = pagerDutyTrigger(plain, '2026-01-01T00:00:00.000Z') as { payload: { custom_details: { runbook_section: string } }; links?: unknown };
  assert.equal(pd.payload.custom_details.runbook_section, 'Incident: Service Unavailable');
  assert.equal(pd.links, undefined);
  const linked = { ...plain, sectionUrl: 'https://git.example/ops/RUNBOOK.md#incident-service-unavailable' };
  assert.match(JSON.stringify(slackTrigger(linked)), /<https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable\|Incident: Service Unavailable>/);
  assert.deepEqual((pagerDutyTrigger(linked, 'now') as { links: unknown }).links, [{ href: linked.sectionUrl, text: 'Runbook: Incident: Service Unavailable' }]);
});

test('pages say where the incident was seen (the location of the daemon that ran the checks)', () => {
  const seen = { ...content, title: 'Service unavailable', message: '503', location: 'eu' };
  const pd = pagerDutyTrigger(seen, 'now') as { payload: { summary: string; custom_details: { location: string } } };
  assert.match(pd.payload.summary, /^\[SEV-0\] production \(seen from eu\): Service unavailable: 503$/);
  assert.equal(pd.payload.custom_details.location, 'eu');
  assert.match(JSON.stringify(slackTrigger(seen)), /\*Environment\*\\nproduction, seen from eu/);
  const resolve = JSON.stringify(slackResolve({ env: 'production', location: 'us', incidentId: 'production/outage', title: 't', section: { title: 's', anchor: 'a' }, openedAt: null }, 'now'));
  assert.match(resolve, /is over on production \(seen from us\)/);
  assert.doesNotMatch(JSON.stringify(pagerDutyTrigger(content, 'now')), /seen from/, 'a report from before locations says nothing about where');
});

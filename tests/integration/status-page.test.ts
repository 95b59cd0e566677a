/**
 * The status page (src/report/status-page.ts + status-route.ts), built from the runbook.json of
 * three real runs (healthy, then every health endpoint down twice), served by a loopback
 * node:http server through the route the `schedule` daemon mounts, and rendered in headless Chromium.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from '@playwright/test';
import { sections } from '../../runbooks/sections.ts';
import type { RunOutcome } from '../../src/run/execute.ts';
import { statusPageRoute } from '../../src/report/status-route.ts';
import { statusFromReportsDir, statusFromRuns } from '../../src/report/status-state.ts';
import type { StatusPageState } from '../../src/report/status-model.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const GREP = '@health\\.';
let h: Harness;
let runs: RunOutcome[];
let browser: Browser;
let server: http.Server;
let base: string;
let state: StatusPageState;

before(async () => {
  assert.ok(hasChromium(), '/usr/bin/chromium is required');
  h = await startHarness();
  runs = [await h.run({}, GREP), await h.run({ 'service-unavailable': true }, GREP), await h.run({ 'service-unavailable': true }, GREP)];
  state = statusFromReportsDir(h.reportsDir, { envs: ['test', 'blue'], refreshSeconds: 15 });
  const route = statusPageRoute(() => state, { root: true });
  server = http.createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not found\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await h?.stop();
});

test('state from real runs: current state, open incident opened at the first failing run, 24 h timeline per check', () => {
  const env = state.environments.find((e) => e.env === 'test')!;
  assert.equal(env.state, 'findings');
  assert.equal(env.severity, 'SEV-0');
  assert.equal(env.lastRunId, runs[2]!.report.runId);
  const root = env.openIncidents.find((i) => i.checkId === 'health.root')!;
  assert.equal(root.openedAt, runs[1]!.report.startedAt, 'open since the first run of the failing streak');
  assert.equal(root.lastSeenAt, runs[2]!.report.startedAt);
  assert.equal(root.section.anchor, sections['service-unavailable'].anchor);
  const timeline = env.checks.find((c) => c.checkId === 'health.root')!.timeline;
  assert.deepEqual(timeline.map((t) => `${t.status}:${t.severity ?? ''}`), ['passed:', 'failed:SEV-0', 'failed:SEV-0']);
  assert.equal(state.environments.find((e) => e.env === 'blue')!.state, 'unknown');
});

test('state: a latest run older than the stale limit is "stale"; runs older than 24 h leave the timeline', () => {
  const reports = runs.map((r) => r.report);
  const later = new Date(Date.parse(reports[2]!.startedAt) + 2 * 3600_000);
  assert.equal(statusFromRuns('test', reports, { now: later }).state, 'stale');
  const dayLater = new Date(Date.parse(reports[2]!.startedAt) + 25 * 3600_000);
  assert.ok(statusFromRuns('test', reports, { now: dayLater }).checks.every((c) => c.timeline.length === 0));
});

test('route: GET /status and / serve HTML with a meta refresh, /status.json the state, POST is 405, other paths fall through', async () => {
  const page = await fetch(`${base}/status`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
  const html = await page.text();
  assert.match(html, /<meta http-equiv="refresh" content="15">/);
  assert.doesNotMatch(html, /<script|src="http/);
  assert.equal((await fetch(`${base}/`)).status, 200);
  const json = (await (await fetch(`${base}/status.json`)).json()) as StatusPageState;
  assert.equal(json.environments.length, 2);
  assert.equal((await fetch(`${base}/status`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
});

test('browser: the status page shows each environment state, the open incidents with their runbook section, and timelines', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${base}/status`);
  const env = page.locator('section.env[data-env="test"]');
  assert.equal(await env.getAttribute('data-state'), 'findings');
  assert.match(await env.locator('.state').innerText(), /^SEV-0 Critical: 3 open incident\(s\), response immediate/);
  const incident = env.locator('tr.incident[data-check="health.root"]');
  assert.ok(await incident.isVisible());
  assert.match(await incident.innerText(), /SEV-0[\s\S]*health\.root[\s\S]*Incident: Service Unavailable \(503\/502 Errors\)/);
  assert.equal(await incident.locator('a').getAttribute('href'), `RUNBOOK.md#${sections['service-unavailable'].anchor}`);
  const row = env.locator('tr.check[data-check="health.root"]');
  assert.equal(await row.getAttribute('data-status'), 'failed');
  assert.equal(await row.locator('svg.timeline rect.mark').count(), 3);
  assert.equal(await row.locator('svg.timeline rect.mark.failed').count(), 2);
  assert.deepEqual(await row.locator('svg.recent rect.run').evaluateAll((els) => els.map((e) => e.getAttribute('class'))), ['run passed', 'run failed', 'run failed']);
  assert.match(await page.locator('section.env[data-env="blue"] .state').innerText(), /^UNKNOWN/);
  const shot = path.join(runs[2]!.runDir, 'status-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 10_000);
  await page.close();
});

/**
 * The status page, the run folders and the living runbook as the `schedule` daemon serves them,
 * from real runs: three environments checked by the real suite against the reference target
 * (dev and staging healthy, production with every health endpoint down, twice), driven through
 * the daemon's scheduler, served on loopback and rendered in headless Chromium (screenshots in
 * the test output).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from '@playwright/test';
import type { ResolvedConfig } from '../../config/index.ts';
import { sections } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { statusFromRuns } from '../../src/report/status-state.ts';
import type { StatusPageState } from '../../src/report/status-model.ts';
import { runPlaywright } from '../../src/run/execute.ts';
import { parseSchedule } from '../../src/schedule/config.ts';
import { startDaemon, type Daemon } from '../../src/schedule/daemon.ts';
import { hasChromium, launchChromium, saveScreenshot } from '../helpers/browser.ts';
import { configFor, startHarness, tempDir, type Harness } from '../helpers/harness.ts';

const GREP = '@health\\.';
const RUNBOOK = path.join(import.meta.dirname, '..', 'fixtures', 'runbook-living.md');
const unavailable = sections['service-unavailable'];
let h: Harness;
let d: Daemon;
let url: string;
let browser: Browser;
let stateDir: string;
const runs: Record<string, RunbookReport[]> = { dev: [], staging: [], production: [] };

function cfg(env: string): ResolvedConfig {
  return { ...configFor(h.target, { CREDLINK_RUNBOOK_PATH: RUNBOOK }), env };
}

before(async () => {
  assert.ok(hasChromium(), '/usr/bin/chromium is required (Debian package "chromium"; npm test installs it: tests/install-prerequisites.ts)');
  h = await startHarness();
  stateDir = tempDir('credlink-status-');
  const config = parseSchedule(
    { location: 'eu', stateDir, reportsDir: h.reportsDir, environments: ['dev', 'staging', 'production'].map((env) => ({ env, cron: '0 0 1 1 *' })) },
    'status-page.test.json',
  );
  const configs = new Map(config.environments.map((e) => [e.env, cfg(e.env)]));
  d = await startDaemon({
    config,
    configs,
    listen: false,
    log: () => {},
    runner: async (env, signal) => {
      await h.target.setFaults(env.env === 'production' ? { 'service-unavailable': true } : {});
      const { report } = await runPlaywright(cfg(env.env), { reportsDir: h.reportsDir, grep: GREP, signal }, h.target.secrets(), () => {});
      runs[env.env]!.push(report);
      return report;
    },
  });
  for (const env of ['dev', 'staging', 'production', 'production']) await d.scheduler.tick(env);
  url = await d.server.listen('127.0.0.1', 0);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await d?.stop();
  await h?.stop();
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

test('state: production failing with its incidents open since its first failing run; dev and staging healthy; /metrics counts the same incidents', async () => {
  const state = (await (await fetch(`${url}/status.json`)).json()) as StatusPageState;
  const byEnv = new Map(state.environments.map((e) => [e.env, e]));
  assert.equal(byEnv.get('dev')!.state, 'healthy', JSON.stringify(runs.dev!.at(-1)!.findings.map((f) => f.message)));
  assert.equal(byEnv.get('staging')!.state, 'healthy');
  const prod = byEnv.get('production')!;
  assert.equal(prod.state, 'findings');
  assert.equal(prod.severity, 'SEV-0');
  const root = prod.openIncidents.find((i) => i.rootCheckId === 'health.root')!;
  assert.equal(root.openedAt, runs.production![0]!.startedAt, 'open since the first run of the failing streak');
  assert.equal(root.lastSeenAt, runs.production![1]!.startedAt);
  assert.equal(root.runId, runs.production![1]!.runId);
  assert.equal(root.section.anchor, unavailable.anchor);
  assert.deepEqual(prod.checks.find((c) => c.checkId === 'health.root')!.timeline.map((t) => t.status), ['failed', 'failed']);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  for (const e of state.environments) {
    const sum = [...metrics.matchAll(new RegExp(`^credlink_incidents_open\\{env="${e.env}",location="eu",severity="SEV-\\d"\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(sum, e.openIncidents.length, `${e.env}: /metrics and the status page agree`);
  }
  // Every health endpoint down: one outage incident (runbooks/dependencies.ts), its id the dedup key.
  assert.match(metrics, new RegExp(`^credlink_incident_open\\{env="production",location="eu",incident="production/outage",incident_key="outage",severity="SEV-0",section="${unavailable.anchor}"\\} 1$`, 'm'));
});

test('state: a latest run older than the stale limit is "stale" (never healthy); runs older than 24 h leave the timeline', () => {
  const reports = runs.production!;
  const later = new Date(Date.parse(reports[1]!.startedAt) + 2 * 3600_000);
  const stale = statusFromRuns('production', reports, { now: later });
  assert.equal(stale.state, 'stale');
  assert.equal(stale.openIncidents.length > 0, true, 'what was open stays open');
  const dayLater = new Date(Date.parse(reports[1]!.startedAt) + 25 * 3600_000);
  assert.ok(statusFromRuns('production', reports, { now: dayLater }).checks.every((c) => c.timeline.length === 0));
});

test('browser: the status page leads with what is wrong; each incident links its runbook section and the report of its run', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/`);
  assert.match(await page.locator('#overall').innerText(), /^SEV-0 Critical: \d+ open incident\(s\) in production · 2 healthy; respond immediate$/);
  assert.deepEqual(await page.locator('section.env').evaluateAll((els) => els.map((e) => e.getAttribute('data-env'))), ['production', 'dev', 'staging'], 'worst first');
  const prod = page.locator('section.env[data-env="production"]');
  assert.ok(await prod.locator('.incident').first().isVisible(), 'the first incident is above the fold');
  const box = await prod.locator('.incident').first().boundingBox();
  assert.ok(box && box.y < 900, 'on the first screen');
  const incident = prod.locator('.incident[data-check="health.root"]');
  assert.match(await incident.innerText(), /SEV-0[\s\S]*Runbook: Incident: Service Unavailable \(503\/502 Errors\)[\s\S]*open since [\d-]+ [\d:]+ UTC[\s\S]*First steps[\s\S]*kubectl get pods/);
  assert.equal(await incident.locator('a.runbook-link').getAttribute('href'), `/runbook#${unavailable.anchor}`);
  assert.equal(await prod.locator('details.healthy-checks').getAttribute('open'), null, 'passing checks are folded');
  assert.equal(await page.locator('section.env[data-env="dev"] .incident').count(), 0);
  assert.match(await page.locator('section.env[data-env="dev"] .state').innerText(), /^HEALTHY/);
  await saveScreenshot(page, 'status-page');
  // The report link opens the run's index.html, served by the daemon, at the incident.
  const href = (await incident.locator('a.report-link').getAttribute('href'))!;
  assert.match(href, new RegExp(`^/runs/production/${runs.production![1]!.runId}/#incident-production/outage$`));
  await page.goto(`${url}${href}`);
  assert.match(await page.locator('#verdict').innerText(), /^SEV-0 Critical: /);
  assert.ok(await page.locator('section.incident[data-incident="production/outage"]').isVisible());
  await page.close();
});

test('run folders over HTTP: read-only, path-safe; a run without its trailing slash is redirected', async () => {
  const runId = runs.production![1]!.runId;
  const ok = await fetch(`${url}/runs/production/${runId}/runbook.md`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /^# CredLink runbook checks: production/);
  const html = await fetch(`${url}/runs/production/${runId}/index.html`);
  assert.match(html.headers.get('content-security-policy')!, /default-src 'none'/);
  assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
  const redirect = await fetch(`${url}/runs/production/${runId}`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), `/runs/production/${runId}/`);
  for (const bad of [`/runs/production/${runId}/../../../${path.basename(stateDir)}/alerts.json`, `/runs/production/${runId}/%2e%2e%2f%2e%2e%2fdev`, `/runs/elsewhere/${runId}/index.html`, '/runs/production/..%2f..%2f..%2fetc/passwd']) {
    assert.equal((await fetch(`${url}${bad}`)).status, 404, bad);
  }
  assert.equal((await fetch(`${url}/runs/production/${runId}/index.html`, { method: 'POST' })).status, 405);
});

test('browser: the living runbook shows, under each section, its state per environment', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const res = await page.goto(`${url}/runbook#${unavailable.anchor}`);
  assert.equal(res!.status(), 200);
  const living = page.locator(`.living[data-anchor="${unavailable.anchor}"]`);
  assert.match(await living.locator('.env-state[data-env="production"]').innerText(), /production SEV-0: \d+ open incident\(s\)[\s\S]*open since/);
  assert.match(await living.locator('.env-state[data-env="dev"]').innerText(), /dev ok/);
  assert.equal(await living.locator('.env-state[data-env="production"] .chip[data-check="health.root"]').innerText(), 'health.root: SEV-0');
  assert.equal(await page.locator('.living[data-anchor="incident-certificate-expiry"]').innerText(), 'No automated check covers this section.');
  assert.equal(await page.locator('script').count(), 0);
  const heading = page.locator(`h3#${unavailable.anchor}`);
  assert.ok(await heading.isVisible());
  await heading.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'living-runbook');
  await page.close();
});

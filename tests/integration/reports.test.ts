/**
 * Reports of real runs against the reference target: a healthy run, then a run with two faults
 * (every health endpoint down = SEV-0, slow database = SEV-2), and a real `drill` through the CLI
 * with the runbook configured. Asserts the HTML triage report rendered in real headless Chromium
 * (screenshot of the drill's report in the test output), the Allure results (severity labels,
 * incidents, runbook links only when configured, environment, evidence attachments), junit.xml
 * parsed by the browser's XML parser (findings as <failure>, counts), the API-key section's steps
 * identical in index.html and runbook.md, and the `report` command building the Allure report with
 * one history entry per run however often it is rebuilt.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from '@playwright/test';
import { sections } from '../../runbooks/sections.ts';
import type { RunOutcome } from '../../src/run/execute.ts';
import { runbookReportSchema, type RunbookReport } from '../../src/reporter/schema.ts';
import { hasChromium, launchChromium, saveScreenshot } from '../helpers/browser.ts';
import { runDirFor } from '../../src/run/paths.ts';
import { cli, startHarness, tempDir, type Harness } from '../helpers/harness.ts';

const GREP = '@health\\.|@db\\.';
let h: Harness;
let healthy: RunOutcome;
let faulty: RunOutcome;
let browser: Browser;
let drillDir: string;
let drill: { report: RunbookReport; runDir: string; code: number; stdout: string; stderr: string };
const RUNBOOK = path.join(import.meta.dirname, '..', 'fixtures', 'runbook-living.md');
const RUNBOOK_URL = 'https://git.example/ops/RUNBOOK.md';

before(async () => {
  assert.ok(hasChromium(), '/usr/bin/chromium is required (Debian package "chromium"; npm test installs it: tests/install-prerequisites.ts)');
  h = await startHarness();
  healthy = await h.run({}, GREP);
  faulty = await h.run({ 'service-unavailable': true, 'database-slow': 400 }, GREP);
  // A drill as a user runs it, with the runbook configured once in the process environment.
  drillDir = tempDir('credlink-drill-');
  const r = await cli(['drill', 'auth-echoes-key,missing-security-headers', '--grep', '@security\\.|@health\\.', '--reports-dir', drillDir, '--json'], {
    env: { CREDLINK_RUNBOOK_PATH: RUNBOOK, CREDLINK_RUNBOOK_URL: RUNBOOK_URL },
  });
  const report = runbookReportSchema.parse(JSON.parse(r.stdout));
  // Drills are stored apart from the environment's runs (src/run/paths.ts).
  drill = { report, runDir: runDirFor(drillDir, 'local', report.runId, 'drill'), ...r };
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await h?.stop();
  if (drillDir) fs.rmSync(drillDir, { recursive: true, force: true });
});

interface AllureResult {
  name: string;
  status: string;
  labels: { name: string; value: string }[];
  links: { type?: string; url: string; name?: string }[];
  steps: { name: string; attachments: { name: string; source: string }[] }[];
}

function allureResults(runDir: string): AllureResult[] {
  const dir = path.join(runDir, 'allure-results');
  return fs.readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as AllureResult);
}
const label = (r: AllureResult, name: string) => r.labels.find((l) => l.name === name)?.value;

test('every run leaves index.html, runbook.json, junit.xml and Allure results inside its run folder', () => {
  for (const o of [healthy, faulty]) {
    for (const f of ['index.html', 'runbook.json', 'runbook.md', 'junit.xml', 'allure-results/environment.properties']) {
      assert.ok(fs.existsSync(path.join(o.runDir, f)), `${f} in ${o.runDir}`);
    }
  }
  assert.equal(healthy.report.verdict.status, 'healthy', JSON.stringify(healthy.report.findings.map((f) => f.message)));
  assert.equal(faulty.report.verdict.severity, 'SEV-0');
});

test('the HTML report is self-contained: no script, no external stylesheet, image or link target', () => {
  const html = fs.readFileSync(path.join(faulty.runDir, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link |<img |<iframe|@import|url\(/i);
  assert.doesNotMatch(html, /(src|href)="https?:/i);
  assert.match(html, /default-src 'none'/);
  for (const key of h.target.apiKeys) assert.ok(!html.includes(key), 'no API key in the report');
});

test('browser: the rendered report shows the verdict, each incident with its runbook section and findings, latency and trend', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${path.join(faulty.runDir, 'index.html')}`);
  const verdict = page.locator('#verdict');
  assert.match(await verdict.innerText(), /^SEV-0 Critical: \d+ incident\(s\) in test \(\d+ failing check\(s\)\), response immediate$/);
  assert.equal(await verdict.getAttribute('data-severity'), 'SEV-0');
  assert.equal(await page.locator('section.incident').count(), faulty.report.incidents.length);
  for (const i of faulty.report.incidents) {
    const card = page.locator(`section.incident[data-incident="${i.id}"]`);
    assert.equal(await card.count(), 1, `one card for ${i.id}`);
    assert.equal(await card.getAttribute('data-anchor'), i.section.anchor);
    assert.ok((await card.locator('.section-title').innerText()).includes(i.section.title));
    assert.ok((await card.locator('ol.actions li').count()) > 0 || (await card.locator('.actions-as-above').count()) === 1, 'immediate actions listed (or "as above" for the same section)');
    assert.equal(await card.locator('.section-title a').count(), 0, 'no runbook configured: the section is named, not linked');
  }
  for (const f of faulty.report.findings) {
    assert.equal(await page.locator(`section.incident[data-incident="${f.incidentId}"] .finding[data-check="${f.checkId}"]`).count(), 1, `${f.checkId} under its incident`);
  }
  const first = page.locator('section.incident').first();
  assert.equal(await first.getAttribute('data-anchor'), sections['service-unavailable'].anchor, 'the SEV-0 incident comes first');
  assert.match(await first.innerText(), /changes the system: a person decides/);
  assert.match(await page.locator('section.incident .finding[data-check="health.root"]').innerText(), /response of GET \/health/);
  assert.ok((await page.locator('svg.latency rect.bar').count()) >= 1, 'latency chart has bars');
  assert.match(await page.locator('#latency-table').innerText(), /GET \/health/);
  const trendRows = await page.locator('#trend-table tbody tr').allTextContents();
  assert.equal(trendRows.length, 2, 'this run and the healthy one before it');
  assert.match(trendRows[0]!, /this run/);
  assert.match(trendRows[1]!, /healthy/);
  assert.equal(await page.locator('svg.trend rect.run').count(), 2);
  const chart = await page.locator('svg.trend').boundingBox();
  assert.ok(chart && chart.width > 1000, `the trend chart uses the card's width (${chart?.width} px)`);
  assert.ok(requests.every((u) => u.startsWith('file://')), `only the file itself is loaded: ${requests.join(', ')}`);

  await page.goto(`file://${path.join(healthy.runDir, 'index.html')}`);
  assert.match(await page.locator('#verdict').innerText(), /^HEALTHY: every check that ran passed in test$/);
  assert.equal(await page.locator('section.incident').count(), 0);
  await page.close();
});

test('drill: index.html after a drill (screenshot), with section links to the living runbook beside it', async () => {
  assert.equal(drill.code, 1, drill.stderr.slice(-1500));
  assert.ok(drill.report.incidents.some((i) => i.section.anchor === sections['api-key-auth'].anchor), JSON.stringify(drill.report.incidents.map((i) => i.id)));
  for (const f of ['index.html', 'runbook.md', 'runbook.html', 'junit.xml']) assert.ok(fs.existsSync(path.join(drill.runDir, f)), f);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`file://${path.join(drill.runDir, 'index.html')}`);
  const card = page.locator(`section.incident[data-anchor="${sections['api-key-auth'].anchor}"]`).first();
  assert.equal(await card.locator('.section-title a').getAttribute('href'), `runbook.html#${sections['api-key-auth'].anchor}`);
  await saveScreenshot(page, 'drill-index');
  // The link lands on the section of the living runbook, annotated with this run's state.
  await card.locator('.section-title a').click();
  assert.match(page.url(), /runbook\.html#incident-api-key-authentication-failures$/);
  const living = page.locator(`.living[data-anchor="${sections['api-key-auth'].anchor}"]`);
  assert.match(await living.innerText(), /local \(observation\)|local/);
  assert.match(await living.locator('.env-state').first().innerText(), /SEV-\d: \d+ open incident\(s\)/);
  await page.close();
  // runbook.md travels: it links the web address.
  assert.match(fs.readFileSync(path.join(drill.runDir, 'runbook.md'), 'utf8'), new RegExp(`\\(${RUNBOOK_URL.replace(/[./]/g, '\\$&')}#${sections['api-key-auth'].anchor}\\)`));
});

test('scrub data, not markup: the API-key section of index.html has the same steps as runbook.md, intact', async () => {
  const page = await browser.newPage();
  await page.goto(`file://${path.join(drill.runDir, 'index.html')}`);
  const card = page.locator(`section.incident[data-anchor="${sections['api-key-auth'].anchor}"]`).first();
  const html = await card.locator('ol.actions li').evaluateAll((lis) => lis.map((li) => ({ step: li.childNodes[0]!.textContent!.trim(), command: li.querySelector('code')!.textContent! })));
  await page.close();
  const md = fs.readFileSync(path.join(drill.runDir, 'runbook.md'), 'utf8');
  const incident = drill.report.incidents.find((i) => i.section.anchor === sections['api-key-auth'].anchor)!;
  const block = md.slice(md.indexOf(`### ${incident.severity}: ${incident.title}`));
  const steps = block.slice(block.indexOf('Immediate actions:')).split('\n').filter((l) => /^\d+\. /.test(l)).slice(0, incident.immediateActions.length);
  const fromMd = steps.map((l) => {
    const m = /^\d+\. (.*?)(?: \(changes the system: a person decides\))?: (`+) ?(.*?) ?\2$/.exec(l)!;
    return { step: m[1]!, command: m[3]! };
  });
  assert.equal(html.length, 4, 'all four steps of the section');
  assert.deepEqual(html, fromMd);
  assert.deepEqual(html.map((a) => a.step), sections['api-key-auth'].immediateActions.map((a) => a.step), 'the catalog steps, none lost');
  // The environment's protected call, as this environment takes the key (runbooks/commands.ts).
  assert.match(html[1]!.command, /^curl -i -X POST -H "X-API-Key: <key>" http:\/\/127\.0\.0\.1:\d+\/api\/v1\/sign$/);
  assert.match(html[2]!.step, /^Read authentication logs/);
  assert.match(html[2]!.command, /grep -i "auth\\\|api\.\*key"$/);
  assert.ok(!fs.readFileSync(path.join(drill.runDir, 'index.html'), 'utf8').includes('[REDACTED]\\|'), 'no credential pattern ran over the markup');
});

test('Allure results: severity labels (computed for findings, catalog default otherwise, skipped included), runbook links, evidence, environment', () => {
  const results = allureResults(faulty.runDir);
  assert.equal(results.length, faulty.report.counts.total);
  const byCheck = new Map(results.map((r) => [label(r, 'story'), r]));
  const root = byCheck.get('health.root')!;
  assert.equal(label(root, 'severity'), 'blocker', 'SEV-0 computed: every health endpoint down');
  assert.equal(label(root, 'sev'), 'SEV-0');
  assert.equal(label(root, 'feature'), sections['service-unavailable'].title);
  assert.equal(root.links.find((l) => l.type === 'runbook'), undefined, 'no runbook configured: no link (never a dead RUNBOOK.md#...)');
  assert.equal(label(byCheck.get('health.status')!, 'incident'), faulty.report.findings.find((f) => f.checkId === 'health.status')!.incidentId);
  const drilled = allureResults(drill.runDir).find((r) => label(r, 'story') === 'security.key-not-echoed')!;
  assert.equal(drilled.links.find((l) => l.type === 'runbook')?.url, `${RUNBOOK_URL}#${sections['api-key-auth'].anchor}`, 'the web address (Allure reports travel)');
  assert.ok(root.steps.some((s) => s.name.startsWith('evidence: response of GET /health') && s.attachments.length === 1), 'evidence is an attachment');
  assert.equal(label(byCheck.get('db.round-trip')!, 'severity'), 'normal');
  const skipped = results.filter((r) => r.status === 'skipped');
  assert.ok(skipped.length >= 1, 'some checks skip while /health is down');
  for (const r of skipped) assert.ok(label(r, 'severity') && label(r, 'sev'), `${r.name} is labelled although it was skipped`);
  assert.equal(label(byCheck.get('health.document')!, 'severity'), 'minor');
  for (const r of allureResults(healthy.runDir)) assert.ok(['blocker', 'critical', 'normal', 'minor'].includes(label(r, 'severity')!));
  const env = fs.readFileSync(path.join(faulty.runDir, 'allure-results', 'environment.properties'), 'utf8');
  assert.match(env, /^environment=test$/m);
  assert.match(env, new RegExp(`^run_id=${faulty.report.runId}$`, 'm'));
});

test('junit.xml (parsed by the browser XML parser): one test case per check, failures carry runbook section and severity', async () => {
  const page = await browser.newPage();
  const xml = fs.readFileSync(path.join(faulty.runDir, 'junit.xml'), 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return { error: doc.getElementsByTagName('parsererror')[0]!.textContent };
    return {
      cases: Array.from(doc.getElementsByTagName('testcase')).map((c) => {
        const fail = c.getElementsByTagName('failure')[0];
        const error = c.getElementsByTagName('error')[0];
        // No named helper functions in here: the page does not have the transpiler's __name.
        const props = Object.fromEntries(Array.from(c.getElementsByTagName('property')).map((p) => [p.getAttribute('name'), p.getAttribute('value')]));
        return { id: props.runbook, incident: props.incident, role: props['incident.role'], message: fail?.getAttribute('message') ?? null, type: fail?.getAttribute('type') ?? null, text: fail?.textContent?.trimStart() ?? null, error: Boolean(error) };
      }),
      failures: Number(doc.documentElement.getAttribute('failures')),
      errors: Number(doc.documentElement.getAttribute('errors')),
    };
  }, xml);
  await page.close();
  assert.ok(!('error' in parsed), `junit.xml is well-formed: ${'error' in parsed ? parsed.error : ''}`);
  const cases = parsed.cases!;
  assert.equal(cases.length, faulty.report.counts.total);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'one test case per check');
  for (const f of faulty.report.findings) {
    const c = cases.find((x) => x.id === f.checkId)!;
    assert.equal(c.type, f.severity, 'a finding is a <failure>, typed with its severity');
    assert.equal(c.incident, f.incidentId);
    assert.equal(c.role, f.role);
    // Correlation makes the other health endpoints consequences of the outage: they read as explained by it.
    const i = faulty.report.incidents.find((x) => x.id === f.incidentId)!;
    if (f.role === 'consequence') {
      assert.equal(c.message, `[${i.severity} consequence] explained by ${i.title} (${i.id}): ${f.message.split('\n')[0]}`);
      assert.match(c.text!, new RegExp(`^Consequence of incident ${i.id.replace(/[()/.]/g, '\\$&')} \\(${i.severity}\\)`));
    } else {
      assert.equal(c.message, `[${f.severity}] ${f.section.title}: ${f.message.split('\n')[0]}`);
      assert.match(c.text!, new RegExp(`^Runbook section: ${f.section.title.replace(/[()/.]/g, '\\$&')}\nSeverity: ${f.severity} `));
    }
    assert.match(c.text!, /Immediate actions:\n {2}1\. /);
  }
  assert.equal(cases.filter((c) => c.message !== null).length, faulty.report.findings.length);
  assert.equal(parsed.failures, faulty.report.findings.length, 'failures counts the findings');
  assert.equal(parsed.errors, 0, 'no finding is counted as a crash');
});

test('report --env: rebuilds index.html and the Allure report, with history across runs', async () => {
  const first = await cli(['report', '--env', 'test', '--reports-dir', h.reportsDir, '--run', healthy.report.runId, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const latest = await cli(['report', '--env', 'test', '--reports-dir', h.reportsDir, '--json']);
  assert.equal(latest.code, 0, latest.stderr);
  const out = JSON.parse(latest.stdout);
  assert.equal(out.runId, faulty.report.runId, 'default: the latest run');
  assert.ok(fs.existsSync(path.join(out.allureReport, 'index.html')));
  const history = fs.readFileSync(out.allureHistory, 'utf8').trim().split('\n');
  assert.equal(history.length, 2, 'one history entry per generated run');
  assert.equal(out.allureHistoryAppended, true);
  // Rebuilding a run already in the history leaves the history as it was.
  const again = await cli(['report', '--env', 'test', '--reports-dir', h.reportsDir, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).allureHistoryAppended, false);
  assert.equal(fs.readFileSync(out.allureHistory, 'utf8').trim().split('\n').length, 2, 'still one entry per run after a rebuild');
  const summary = JSON.parse(fs.readFileSync(path.join(out.allureReport, 'summary.json'), 'utf8'));
  assert.ok(summary, 'Allure summary written');
  const missing = await cli(['report', '--env', 'nowhere', '--reports-dir', h.reportsDir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^credlink-checks report: no runs in .*nowhere: run "credlink-checks run --env nowhere" first\n$/);
});

/**
 * What a person reads, from hand-built schema-2 reports with correlated incidents
 * (tests/helpers/reports.ts): the terminal summary, runbook.md, index.html, the trend chart, the
 * gate and its GitHub Actions output, runbook links in every output, the status page and /metrics
 * agreeing, the living runbook, the daemon's run-folder paths, cutover's wording, Allure history
 * and the help of every command.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import { commandHelp } from '../../src/cli.ts';
import { didYouMean } from '../../src/did-you-mean.ts';
import { catalogEntries } from '../../src/coverage/catalog-entries.ts';
import { compareLatency } from '../../src/cutover/compare.ts';
import { renderCutover, selectorReason, type CutoverVerdict } from '../../src/cutover/cutover.ts';
import { githubAnnotations, githubStepSummary, renderGate } from '../../src/gate/verdict.ts';
import { escapeData } from '../../src/gate/github.ts';
import { openIncidents } from '../../src/incidents/open.ts';
import { historyHas } from '../../src/report/allure-generate.ts';
import { renderHtml, trendPoints } from '../../src/report/html.ts';
import { orderWorstFirst, renderStatusPage } from '../../src/report/status-page.ts';
import { statusFromRuns } from '../../src/report/status-state.ts';
import { labelledRuns, trendChart } from '../../src/report/svg.ts';
import { renderMarkdown } from '../../src/reporter/markdown.ts';
import { renderSummary, verdictLine } from '../../src/reporter/summary.ts';
import { runbookLink, runFolderLinks } from '../../src/runbook-md/link.ts';
import { renderLivingRunbook } from '../../src/runbook-md/living.ts';
import { renderObservedMetrics } from '../../src/schedule/metrics.ts';
import { resolveRunFile } from '../../src/schedule/run-files.ts';
import type { EndpointPair } from '../../src/cutover/measure.ts';
import { healthyReport, noEvidenceReport, outageReport } from '../helpers/reports.ts';

const RUN_DIR = '/srv/reports/production/20260301T100000Z-outg';
const URL_LINKS = { url: 'https://git.example/ops/RUNBOOK.md' };
const unavailable = sections['service-unavailable'];

test('links: URL, living runbook or nothing; never a bare RUNBOOK.md#', () => {
  const s = { anchor: 'a-b' };
  assert.equal(runbookLink(s, undefined), undefined);
  assert.equal(runbookLink(s, {}), undefined);
  assert.equal(runbookLink(s, { url: 'https://x/RUNBOOK.md#old' }), 'https://x/RUNBOOK.md#a-b');
  assert.equal(runbookLink(s, { url: 'https://x/R.md', living: 'runbook.html' }), 'https://x/R.md#a-b', 'outputs that travel prefer the web address');
  assert.equal(runbookLink(s, { url: 'https://x/R.md', living: 'runbook.html' }, 'living'), 'runbook.html#a-b', 'pages beside the living runbook prefer it');
  assert.deepEqual(runFolderLinks({ path: '/srv/RUNBOOK.md' }, 1), { url: undefined, living: '../runbook.html' });
  assert.deepEqual(runFolderLinks({}), { url: undefined, living: undefined });
});

test('terminal: incidents first with consequences folded, skips grouped by reason, the verdict as the last line, 100 columns', () => {
  const text = renderSummary(outageReport(), RUN_DIR, undefined, URL_LINKS);
  const lines = text.trimEnd().split('\n');
  for (const l of lines) assert.ok(l.length <= 100, `fits 100 columns (${l.length}): ${l}`);
  assert.equal(lines.at(-1), 'SEV-0 production: 2 incidents (5 failing checks), Critical, respond immediate');
  assert.equal(lines[1], lines.at(-1), 'the verdict also opens the summary');
  const first = lines.findIndex((l) => l.startsWith('SEV-0  '));
  const second = lines.findIndex((l) => l.startsWith('SEV-3  '));
  assert.ok(first > 0 && second > first, 'incidents, most severe first');
  assert.match(text, /explains 3 more failing checks \(not paged on their own\): health\.status,\s+security\.valid-key-accepted, security\.cors-allowed-origins/);
  assert.doesNotMatch(text, /^SEV-\d +.*health\.status/m, 'a consequence is not an incident of its own');
  assert.match(text, /runbook: Incident: Service Unavailable \(503\/502 Errors\)\s+https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable-503502-errors/);
  assert.match(text, /^skipped: 17 checks for 2 reasons$/m);
  assert.equal(text.match(/KUBE_NAMESPACE is not set/g)?.length, 1, 'one line per reason');
  assert.match(text, /^ {2}KUBE_NAMESPACE is not set: Kubernetes checks skip \(12\): k8s\.access,/m);
  assert.doesNotMatch(renderSummary(outageReport(), RUN_DIR), /RUNBOOK\.md|runbook: .*(https?:|\.html)/, 'no runbook configured: sections named, not linked');
});

test('terminal: a run that is no evidence or was interrupted never reads as healthy', () => {
  const none = renderSummary(noEvidenceReport(), RUN_DIR);
  assert.match(none.trimEnd().split('\n').at(-1)!, /^NO EVIDENCE staging: no check executed \(--grep "@nomatch" selects no check\): not a healthy verdict$/);
  assert.doesNotMatch(none, /HEALTHY/);
  const interrupted = { ...healthyReport(), verdict: { status: 'interrupted' as const, severity: null, reason: 'SIGINT' } };
  assert.match(verdictLine(interrupted), /^INTERRUPTED production: the run did not finish \(SIGINT\): no verdict$/);
  assert.match(renderHtml(interrupted), /<h1 id="verdict" data-verdict="interrupted" data-severity="">INTERRUPTED/);
  assert.match(renderMarkdown(noEvidenceReport()), /^Verdict: \*\*NO EVIDENCE\*\*/m);
  assert.match(verdictLine(healthyReport()), /^HEALTHY production: every check that ran passed \(4 passed, 0 skipped\)$/);
});

test('runbook.md: incidents with section links (URL first, else the living runbook beside it), consequences folded', () => {
  const md = renderMarkdown(outageReport(), runFolderLinks(URL_LINKS));
  assert.match(md, /^## Incidents \(most severe first\)$/m);
  assert.match(md, /^- runbook section: \[Incident: Service Unavailable \(503\/502 Errors\)\]\(https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable-503502-errors\)$/m);
  assert.match(md, /<details><summary>Explained by this root cause: 3 more failing check\(s\), not paged on their own<\/summary>/);
  assert.match(md, /^- `security\.valid-key-accepted` .*\(Incident: API Key Authentication Failures, SEV-1 on its own\)$/m);
  assert.match(renderMarkdown(outageReport(), runFolderLinks({ path: '/srv/RUNBOOK.md' })), /\]\(runbook\.html#incident-service-unavailable-503502-errors\)/);
  assert.doesNotMatch(renderMarkdown(outageReport()), /RUNBOOK\.md|\]\(/, 'nothing configured: no link at all');
  assert.match(md, /^- KUBE_NAMESPACE is not set: Kubernetes checks skip: `k8s\.access`, /m);
});

test('index.html: incident cards (root evidence, consequences folded), section links only when configured, skips by reason', () => {
  const r = outageReport();
  const html = renderHtml(r, [], runFolderLinks({ path: '/srv/RUNBOOK.md', url: 'https://git.example/ops/RUNBOOK.md' }));
  assert.equal(html.match(/<section class="card sev incident"/g)?.length, 2);
  assert.match(html, /<section class="card sev incident" id="incident-production\/check:health\.root" data-incident="production\/check:health\.root" data-anchor="incident-service-unavailable-503502-errors"/);
  assert.match(html, /<a class="runbook-link" href="runbook\.html#incident-service-unavailable-503502-errors">Incident: Service Unavailable/);
  assert.match(html, /<details class="consequences"><summary>Explains 3 more failing check\(s\), not paged on their own: health\.status, security\.valid-key-accepted, security\.cors-allowed-origins<\/summary><div class="finding consequence" data-check="health\.status">/);
  assert.match(html, /<li class="skip-reason">KUBE_NAMESPACE is not set: Kubernetes checks skip <span class="muted">\(12\)<\/span>/);
  const plain = renderHtml(r);
  assert.doesNotMatch(plain, /href="[^"]*#incident-service/, 'no runbook configured: no link');
  assert.match(plain, /<span class="runbook-link unlinked">Incident: Service Unavailable/);
});

test('trend: observed runs only, full width, labelled axes, severity band, time labels that never overlap', () => {
  const runs = Array.from({ length: 40 }, (_, i) => {
    const startedAt = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 300_000).toISOString();
    const o = { runId: `r${String(i).padStart(2, '0')}`, startedAt, latency: { p50: 10 + i, p95: 30 + i } };
    return i % 7 === 3 ? outageReport(o) : i % 5 === 1 ? healthyReport({ ...o, kind: 'drill' }) : healthyReport(o);
  });
  const points = trendPoints(runs.slice(0, -1), runs.at(-1));
  assert.equal(points.length, 40 - runs.filter((r) => r.kind === 'drill').length, 'drills are not the trend');
  assert.ok(points.every((p) => !p.runId.endsWith('drill')));
  const svg = trendChart(points);
  assert.match(svg, /style="width:100%;height:auto"/);
  assert.match(svg, />latency \(ms\)</);
  assert.match(svg, />run start \(UTC, 2026-03-01\), oldest left</);
  assert.match(svg, />verdict</);
  assert.equal(svg.match(/<rect class="run /g)?.length, points.length);
  assert.ok((svg.match(/<rect class="run findings/g)?.length ?? 0) > 0, 'severity cells in the band');
  // Labels: at least 48 px apart (40 px label + 8 px gap) at 1060 px wide.
  const xs = [...svg.matchAll(/<text class="time" x="([\d.]+)"[^>]*text-anchor="(\w+)"/g)].map((m) => ({ x: Number(m[1]), anchor: m[2]! }));
  assert.ok(xs.length >= 2 && xs.length < points.length, `thinned labels: ${xs.length}`);
  const centre = (l: { x: number; anchor: string }) => (l.anchor === 'start' ? l.x + 20 : l.anchor === 'end' ? l.x - 20 : l.x);
  for (let i = 1; i < xs.length; i++) assert.ok(centre(xs[i]!) - centre(xs[i - 1]!) >= 40, `labels ${i - 1} and ${i} overlap`);
  assert.deepEqual(labelledRuns(3, 300, 48), [0, 1, 2]);
  assert.deepEqual(labelledRuns(10, 10, 48), [0, 9], 'the last label wins over a neighbour it would overlap');
  assert.deepEqual(labelledRuns(11, 10, 48), [0, 5, 10]);
  // A drill's own report says it is not part of the trend.
  assert.match(renderHtml(healthyReport({ kind: 'drill' }), runs), /This run is a drill: it is not part of the environment's trend/);
});

test('gate in GitHub Actions: ::error per blocking incident, ::warning per other, escaped; a job summary naming what does not block', () => {
  const o = { report: outageReport(), runDir: RUN_DIR, failOn: 'SEV-2' as const, retried: false, links: URL_LINKS };
  const ann = githubAnnotations(o).trimEnd().split('\n');
  assert.equal(ann.length, 2);
  assert.match(ann[0]!, /^::error title=SEV-0 production%3A [^:]+::Blocks the deployment\. Runbook: Incident: Service Unavailable \(503\/502 Errors\) \(https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable-503502-errors\)\.%0ACause health\.root: /);
  assert.match(ann[0]!, /%0AExplains 3 more failing check\(s\): health\.status, security\.valid-key-accepted, security\.cors-allowed-origins%0A/);
  assert.match(ann[1]!, /^::warning title=SEV-3 production%3A .*::Does not block \(below SEV-2\)/);
  assert.equal(escapeData('50% a\nb\r'), '50%25 a%0Ab%0D');
  const md = githubStepSummary(o);
  assert.match(md, /^## credlink-checks gate: FAILED for `production`$/m);
  assert.match(md, /^\| \*\*yes\*\* \| SEV-0 \| .* \| \[Incident: Service Unavailable \(503\/502 Errors\)\]\(https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable-503502-errors\) \| `health\.root`: .* \| 3 \|$/m);
  assert.match(md, /^\| no \(below SEV-2\) \| SEV-3 \| /m);
  assert.match(md, /<details><summary>SEV-0 .*: first steps<\/summary>\n\n1\. Check pod status: `kubectl get pods/);
  const none = { ...o, report: noEvidenceReport() };
  assert.match(githubAnnotations(none), /^::error title=credlink-checks gate%3A staging::GATE FAILED staging: no check executed/);
  assert.match(renderGate(none), /^GATE FAILED staging: no check executed .*: a gate never passes on\s+no evidence$/m);
});

/** production: outage opened at 10:00 and still there at 10:05; staging: no evidence; dev: healthy. */
function fleet(now = new Date('2026-03-01T10:06:00Z')) {
  const prodRuns = [healthyReport({ startedAt: '2026-03-01T09:55:00.000Z', runId: 'a' }), outageReport({ runId: 'b' }), outageReport({ startedAt: '2026-03-01T10:05:00.000Z', runId: 'c' })];
  return [
    statusFromRuns('dev', [healthyReport({ env: 'dev', startedAt: '2026-03-01T10:04:00.000Z' })], { now }),
    statusFromRuns('staging', [noEvidenceReport({ startedAt: '2026-03-01T10:03:00.000Z' })], { now }),
    statusFromRuns('production', prodRuns, { now }),
  ];
}

test('open incidents: one function; since when = first run of the streak; a run that is no evidence leaves them open; drills do not count', () => {
  const runs = [healthyReport({ startedAt: '2026-03-01T09:55:00.000Z' }), outageReport(), outageReport({ startedAt: '2026-03-01T10:05:00.000Z', runId: 'c' })];
  const open = openIncidents(runs);
  assert.deepEqual(open.map((i) => [i.id, i.openedAt, i.lastSeenAt, i.runId]), [
    ['production/check:health.root', '2026-03-01T10:00:00.000Z', '2026-03-01T10:05:00.000Z', 'c'],
    ['production/check:security.headers', '2026-03-01T10:00:00.000Z', '2026-03-01T10:05:00.000Z', 'c'],
  ]);
  assert.equal(openIncidents([...runs, { ...noEvidenceReport({ env: 'production' }), startedAt: '2026-03-01T10:10:00.000Z' }]).length, 2, 'no evidence resolves nothing');
  assert.equal(openIncidents([...runs, healthyReport({ startedAt: '2026-03-01T10:10:00.000Z' })]).length, 0);
  assert.equal(openIncidents([...runs, healthyReport({ startedAt: '2026-03-01T10:10:00.000Z', kind: 'drill' })]).length, 2, 'a drill is not the environment');
});

test('status page: worst environment first, overall banner, incidents with section, since when, first steps and report link; passing checks folded; /metrics agrees', () => {
  const envs = fleet();
  assert.deepEqual(orderWorstFirst(envs).map((e) => e.env), ['production', 'staging', 'dev']);
  const state = { generatedAt: '2026-03-01T10:06:00.000Z', refreshSeconds: 30, environments: envs };
  const html = renderStatusPage(state, { links: { living: '/runbook' }, runHref: (env, run) => `/runs/${env}/${run}/` });
  assert.match(html, /<h1 id="overall" data-severity="SEV-0">SEV-0 Critical: 2 open incident\(s\) in production · no current verdict for staging \(no-evidence\) · 1 healthy; respond immediate<\/h1>/);
  assert.ok(html.indexOf('data-env="production"') < html.indexOf('data-env="staging"') && html.indexOf('data-env="staging"') < html.indexOf('data-env="dev"'));
  assert.match(html, /<div class="incident" data-incident="production\/check:health\.root" data-check="health\.root"/);
  assert.match(html, /Runbook: <a class="runbook-link" href="\/runbook#incident-service-unavailable-503502-errors">/);
  assert.match(html, /open since 2026-03-01 10:00 UTC \(6 min\)/);
  assert.match(html, /href="\/runs\/production\/c\/#incident-production\/check:health\.root">report of run c<\/a>/);
  assert.match(html, /<ol class="actions"><li>Check pod status<br><code>kubectl get pods/);
  assert.match(html, /explains 3 more failing check\(s\), not paged on their own/);
  assert.match(html, /<details class="healthy-checks"><summary>3 passing check\(s\)<\/summary>/);
  assert.match(html, /data-env="staging" data-state="no-evidence"[\s\S]*?NO EVIDENCE: the last run executed no check/);
  assert.doesNotMatch(html.slice(html.indexOf('data-env="staging"'), html.indexOf('data-env="dev"')), /HEALTHY/, 'no evidence is never healthy');
  // /metrics from the same state: the counts the page shows.
  const metrics = renderObservedMetrics(envs, { location: 'eu' });
  assert.match(metrics, /^credlink_incidents_open\{env="production",location="eu",severity="SEV-0"\} 1$/m);
  assert.match(metrics, /^credlink_incidents_open\{env="production",location="eu",severity="SEV-3"\} 1$/m);
  // No runbook URL configured: no runbook_url label (never a dead link).
  assert.match(metrics, /^credlink_incident_open\{env="production",location="eu",incident="production\/check:health\.root",incident_key="check:health\.root",severity="SEV-0",section="incident-service-unavailable-503502-errors"\} 1$/m);
  assert.match(
    renderObservedMetrics(envs, { location: 'eu', runbookUrl: 'https://git.example/ops/RUNBOOK.md' }),
    /^credlink_incident_open\{env="production",location="eu",incident="production\/check:health\.root",incident_key="check:health\.root",severity="SEV-0",section="incident-service-unavailable-503502-errors",runbook_url="https:\/\/git\.example\/ops\/RUNBOOK\.md#incident-service-unavailable-503502-errors"\} 1$/m,
  );
  for (const e of envs) {
    const sum = [...metrics.matchAll(new RegExp(`^credlink_incidents_open\\{env="${e.env}",location="eu",severity="SEV-\\d"\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(sum, e.openIncidents.length, `${e.env}: /metrics and the page agree`);
  }
  assert.match(renderStatusPage(state), /<span class="runbook-link unlinked">Incident: Service Unavailable/, 'no runbook configured: named, not linked');
});

test('living runbook: the runbook rendered safely with, under each section, the state per environment; uncovered and manual sections say so', () => {
  const markdown = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'runbook-living.md'), 'utf8');
  const html = renderLivingRunbook({ markdown, sourceName: 'RUNBOOK.md', entries: catalogEntries(), environments: orderWorstFirst(fleet()), generatedAt: '2026-03-01T10:06:00.000Z', runHref: (e, r) => `/runs/${e}/${r}/` });
  assert.doesNotMatch(html, /<script|href="javascript:/i, 'raw HTML and javascript: links in the document render as text');
  assert.match(html, /&lt;script&gt;alert\(&#39;raw html in the runbook&#39;\)&lt;\/script&gt;|&lt;script&gt;alert\('raw html in the runbook'\)&lt;\/script&gt;/);
  assert.match(html, new RegExp(`<h3 id="${unavailable.anchor}">Incident: Service Unavailable \\(503/502 Errors\\)</h3>\\n<div class="living" data-anchor="${unavailable.anchor}" data-status="covered">`));
  const block = html.slice(html.indexOf(`<div class="living" data-anchor="${unavailable.anchor}"`), html.indexOf('</div>\n', html.indexOf(`<div class="living" data-anchor="${unavailable.anchor}"`) + 2000));
  assert.match(block, /<strong>production<\/strong> <span class="badge" style="background:#8b0000">SEV-0: 1 open incident\(s\)<\/span>/);
  assert.match(block, /open since 2026-03-01 10:00 UTC<\/span> <a class="report-link" href="\/runs\/production\/c\/#incident-production\/check:health\.root">report<\/a>/);
  assert.match(block, /data-check="health\.root"[^>]*>health\.root: SEV-0</);
  assert.match(html, /<div class="living" data-anchor="incident-certificate-expiry" data-status="uncovered"><div class="living-head">No automated check covers this section\.<\/div><\/div>/);
  assert.match(html, /<h3 id="incident-api-key-authentication-failures">[\s\S]*?<div class="living" data-anchor="incident-api-key-authentication-failures" data-status="covered"><div class="living-head">Checked by \d+ check\(s\); by a person: manual\.api-key-secret<\/div>/);
  // The runbook's own commands are rendered as written: nothing scrubbed out of markup.
  assert.match(html, /curl -H &quot;X-API-Key: test-key&quot; https:\/\/credlink\.com\/api\/v1\/status/);
  assert.match(html, /grep -i &quot;auth\\\|api\.\*key&quot;/);
  assert.match(html, /default-src &#39;none&#39;|default-src 'none'/);
});

test('run files: only scheduled environments, plain run ids, no traversal, no symlink out of the run folder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-runfiles-'));
  try {
    const run = path.join(root, 'prod', '20260301T100000Z-ab12');
    fs.mkdirSync(path.join(run, 'allure-report'), { recursive: true });
    fs.writeFileSync(path.join(run, 'runbook.json'), '{}');
    fs.writeFileSync(path.join(run, 'index.html'), '<p>ok</p>');
    fs.writeFileSync(path.join(run, 'allure-report', 'index.html'), 'allure');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'outside');
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(run, 'link.txt'));
    const envs = new Set(['prod']);
    const ok = (p: string) => {
      const r = resolveRunFile(root, envs, p);
      return 'file' in r ? path.relative(run, r.file) : r.status;
    };
    assert.equal(ok('/runs/prod/20260301T100000Z-ab12/'), 'index.html');
    assert.equal(ok('/runs/prod/20260301T100000Z-ab12/allure-report/index.html'), path.join('allure-report', 'index.html'));
    for (const bad of ['/runs/other/20260301T100000Z-ab12/', '/runs/prod/../prod/20260301T100000Z-ab12/index.html', '/runs/prod/20260301T100000Z-ab12/../../secret.txt', '/runs/prod/20260301T100000Z-ab12/%2e%2e/%2e%2e/secret.txt', '/runs/prod/20260301T100000Z-ab12/..%2f..%2fsecret.txt', '/runs/prod/20260301T100000Z-ab12/link.txt', '/runs/prod/.hidden/index.html', '/runs/prod/20260301T100000Z-ab12/a%00b', '/runs/prod/20260301T100000Z-ab12/allure-report']) {
      assert.equal(ok(bad), 404, bad);
    }
    assert.equal(ok('/runs/prod/20260301T100000Z-ab12/%E0%A4%A'), 400);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('cutover: every compared metric is one line with its test, effect, interval, p-value and band', () => {
  // Deterministic latencies: blue a spread around 10 ms, green the same 35% slower; no errors on blue, 3% on green.
  const spread = (base: number) => Array.from({ length: 200 }, (_, i) => base * Math.exp(0.3 * Math.sin(i * 12.9898) * 1.7));
  const m = (ms: number[], errors: number) => ({ samples: ms.length, errors, dropped: 0, rateLimited: 0, errorRate: errors / ms.length, summary: { p50: 1, p95: 1, p99: 1 }, latenciesMs: ms }) as unknown as EndpointPair['blue'];
  const reasons = compareLatency([{ path: '/health', blue: m(spread(10), 0), green: m(spread(13.5), 6) } as EndpointPair], { minSamples: 200, floorMs: 0.5, errorRate: { warning: 0.01, critical: 0.05 } });
  assert.deepEqual(reasons.map((r) => [r.part, r.severity]), [['latency', 'SEV-2'], ['tail', 'SEV-2'], ['error-rate', 'SEV-2']]);
  assert.match(reasons[0]!.text, /^GET \/health latency green vs blue: median 13\.\d vs 10\.\d ms; \+35% \(95% CI \+\d+% to \+\d+%\), p < 0\.001 \[Mann-Whitney U on log latency, Hodges-Lehmann ratio\]: SEV-2 band, worse by 20-50%$/);
  assert.match(reasons[2]!.text, /^GET \/health error-rate green vs blue: 6\/200 vs 0\/200 errors; \+3\.0 points \(95% CI [\d.]+ to [\d.]+\), p = 0\.015 \[Fisher's exact test, Newcombe interval\]: SEV-2 band, more than the warning 1\.0 points worse$/);
  const same = compareLatency([{ path: '/health', blue: m(spread(10), 0), green: m(spread(10), 0) } as EndpointPair], { minSamples: 200, floorMs: 0.5, errorRate: { warning: 0.01, critical: 0.05 } });
  assert.deepEqual(same.map((r) => r.severity), ['SEV-3', 'SEV-3', 'SEV-3']);
  assert.doesNotMatch(same.map((r) => r.text).join('\n'), /noise floor/);
});

test('cutover --after-switch on the embedded target: says why the selector did not move, and that there is nothing to roll back', () => {
  const read = { ok: true as const, value: { service: 'credlink-api-service', namespace: 'credlink', label: 'environment', colour: 'blue', selector: { environment: 'blue' } } };
  const rehearsal = selectorReason(read, 'green', true);
  assert.equal(rehearsal.severity, 'SEV-1', 'still no GO: the switch was not observed');
  assert.match(rehearsal.text, /selects environment=blue, not green: expected in a rehearsal: production here is the embedded reference target, whose Kubernetes simulator runs blue and which no kubectl patch reaches/);
  assert.match(selectorReason(read, 'green', false).text, /not green: traffic still goes to blue$/);
  assert.equal(selectorReason({ ...read, value: { ...read.value, colour: 'green' } }, 'green', true).severity, 'SEV-3');
  const v: CutoverVerdict = { decision: 'NO-GO', blue: 'local', green: 'local', afterSwitch: true, blocking: [rehearsal], passed: [], rollback: 'kubectl patch service x', rehearsal: true, greenReport: null, latency: [] };
  const text = renderCutover(v);
  assert.match(text, /^Rehearsal on the embedded target: nothing was switched, so there is nothing to roll back\. On a real cluster: kubectl patch service x$/m);
  assert.doesNotMatch(text, /Roll back now/);
  assert.match(renderCutover({ ...v, rehearsal: false }), /^Roll back now: kubectl patch service x$/m);
  assert.match(text, /^runbook: 2\. Blue-Green Deployment$/m, 'no runbook configured: the section named, no dead link');
  assert.match(renderCutover({ ...v, links: URL_LINKS }), /^runbook: 2\. Blue-Green Deployment https:\/\/git\.example\/ops\/RUNBOOK\.md#2-blue-green-deployment$/m);
});

test('allure history: a run already in the history is found by its report name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-hist-'));
  try {
    const file = path.join(dir, 'allure-history.jsonl');
    assert.equal(historyHas(file, 'credlink-checks prod r1'), false, 'no file yet');
    fs.writeFileSync(file, `${JSON.stringify({ uuid: 'u1', name: 'credlink-checks prod r1' })}\n{broken\n${JSON.stringify({ uuid: 'u2', name: 'credlink-checks prod r2' })}\n`);
    assert.equal(historyHas(file, 'credlink-checks prod r1'), true);
    assert.equal(historyHas(file, 'credlink-checks prod r3'), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('help: every command describes every option within 100 columns; did-you-mean for commands', async () => {
  const names = ['run', 'drill', 'gate', 'cutover', 'schedule', 'report', 'coverage', 'list', 'validate', 'target', 'load'];
  for (const name of names) {
    const cmd = (await import(`../../src/commands/${name}.ts`)).default;
    const help = commandHelp(name, 'summary', cmd);
    for (const line of help.split('\n')) assert.ok(line.length <= 100, `${name} --help fits 100 columns: ${line}`);
    for (const [opt, spec] of Object.entries(cmd.options as Record<string, { description: string }>)) {
      assert.ok(spec.description.length > 10, `${name} --${opt} is described`);
      assert.match(help, new RegExp(`--${opt}\\b`), `${name} --help lists --${opt}`);
    }
  }
  const drill = (await import('../../src/commands/drill.ts')).default;
  const text = commandHelp('drill', 's', drill);
  assert.match(text, /^ {2}high-error-rate\[=PCT\] +.*\n.*Value: 1-100 %, default 10 %\.$/m);
  assert.match(text, /^ {2}slow-responses\[=MS\] +every API request waits the given latency before answering\. Value:\n +1-120000 ms, default 2500 ms\.$/m);
  assert.match(text, /^ {2}service-unavailable +every API route answers 503\. Takes no value\.$/m);
  const target = commandHelp('target', 's', (await import('../../src/commands/target.ts')).default);
  assert.doesNotMatch(target, /prints? (?:its |the )?(?:URL, )?API key/i, 'target --help promises no printed credentials');
  assert.match(target, /never printed/);
  assert.equal(didYouMean('rnu', names), 'run');
  assert.equal(didYouMean('shedule', names), 'schedule');
  assert.equal(didYouMean('cov', names), 'coverage');
  assert.equal(didYouMean('xyzzy', names), undefined);
});

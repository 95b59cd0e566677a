/**
 * One window judgement as a run report, so the alerting, incidents and runbook mapping stay the
 * ones every run goes through: the judgement becomes test records of the catalog's own checks
 * (health.root/status/api-health for the sampled health endpoints, perf.latency and
 * perf.error-rate for the window), and the reporter's pure mapping (src/reporter/to-report.ts)
 * turns them into findings, severities and incidents. A complete outage is therefore the same
 * `outage` incident (same id, same dedup key) a run reports. Pure.
 */
import { namesOf } from '../../runbooks/commands.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { ANSWER_ANNOTATION } from '../http/answers.ts';
import { classify } from '../http/response-class.ts';
import { describeRate, type Verdict } from '../perf/probe-verdict.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { toReport, type TestRecord } from '../reporter/to-report.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import type { Impact } from '../triage/impact.ts';
import { windowLabel, type Judgement, type JudgedEndpoint } from './judge.ts';

/** Run ids of window evaluations start with this: they have no report folder. */
export const WINDOW_RUN_PREFIX = 'window-';

const round = (n: number) => Math.round(n * 10) / 10;
const pct = (r: number) => `${round(r * 100)}%`;

function record(id: CheckId, outcome: 'passed' | 'failed' | 'skipped', o: { expected?: string; actual?: string; impact?: Impact; responses?: object[]; skip?: string; message?: string } = {}): TestRecord {
  const annotations: TestRecord['annotations'] = [{ type: 'runbook', description: id }];
  if (o.skip) annotations.push({ type: 'skip', description: o.skip });
  if (o.expected) annotations.push({ type: 'expected', description: o.expected });
  if (o.actual) annotations.push({ type: 'actual', description: o.actual });
  if (o.impact) annotations.push({ type: 'impact', description: JSON.stringify(o.impact) });
  for (const r of o.responses ?? []) annotations.push({ type: ANSWER_ANNOTATION, description: JSON.stringify(r) });
  return {
    title: catalog[id].title,
    annotations,
    status: outcome,
    outcome: outcome === 'failed' ? 'unexpected' : outcome === 'skipped' ? 'skipped' : 'expected',
    retries: 0,
    durationMs: 0,
    errors: o.message ? [o.message] : [],
    evidence: [],
  };
}

function healthRecord(e: JudgedEndpoint, env: string): TestRecord | null {
  const latest = e.latest;
  if (!latest || !e.checkId) return null;
  const id = e.checkId as CheckId;
  const ok = latest.status !== null && latest.status >= 200 && latest.status < 300;
  if (ok) return record(id, 'passed');
  // A failure not (yet) confirmed says nothing either way; 404, 401, 429...: the scheduled check judges those.
  if (!e.down) return null;
  const seen = latest.status === null ? `no answer (${latest.error ?? 'unknown'})` : `(${latest.status})`;
  const message = `[STATUS] ${seen} == 200 on ${e.name} (${env}); confirmed: asked again, failed again (continuous sampler)`;
  return record(id, 'failed', {
    expected: '200',
    actual: seen,
    message,
    impact: { kind: 'unavailable', status: latest.status },
    responses: [{ call: e.name, status: latest.status, class: classify(latest.status), count: 1 }],
  });
}

function impactOf(v: Verdict, precise: boolean): Impact | undefined {
  if (v.status === 'warning' || v.status === 'critical') return { kind: 'threshold', tier: v.status, value: precise ? Math.round(v.value * 10_000) / 10_000 : round(v.value), limit: v.limit, scope: v.scope };
  if (v.status === 'no-data' || v.status === 'invalid') return { kind: 'gap', reason: v.reason };
  return undefined;
}

/** The window's p95 and error rate as the two perf checks' outcomes: insufficient is inconclusive (skipped), never passed. */
function perfRecords(j: Judgement, c: Readonly<ResolvedConfig>): TestRecord[] {
  const label = windowLabel(j.windowMs, j.n);
  const out: TestRecord[] = [];
  if (j.suspect) {
    // Its failures are the outage's if it is confirmed next round: not an error rate meanwhile.
    const why = `inconclusive, n=${j.n} (${label}): every health endpoint failed its last request; an outage is being confirmed`;
    return [record('perf.latency', 'skipped', { skip: why }), record('perf.error-rate', 'skipped', { skip: why })];
  }
  const lim = c.thresholds.responseTimeMs;
  const lat = j.latency;
  if (lat.status === 'insufficient' || lat.status === 'no-data') {
    out.push(record('perf.latency', 'skipped', { skip: `inconclusive, n=${j.n} (${label}): ${lat.reason}` }));
  } else if (lat.status === 'ok') {
    out.push(record('perf.latency', 'passed'));
  } else {
    const actual = 'scope' in lat ? `${round(lat.value)} ms p95 on ${lat.scope} (${label})` : `${lat.reason} (${label})`;
    out.push(record('perf.latency', 'failed', { expected: `<= ${lim.warning} ms (critical above ${lim.critical} ms)`, actual, message: `[P95] ${actual}`, impact: impactOf(lat, false) }));
  }
  const er = j.errorRate;
  const elim = c.thresholds.errorRate;
  if (er.status === 'insufficient' || er.status === 'no-data') {
    out.push(record('perf.error-rate', 'skipped', { skip: `inconclusive, n=${er.overall.requests} (${label}): ${er.reason}` }));
  } else if (er.status === 'ok') {
    out.push(record('perf.error-rate', 'passed'));
  } else {
    const rows = [...er.endpoints].sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1));
    const listed = `${rows.map((r) => describeRate(r, elim)).join('; ')} (${label})`;
    const responses = j.endpoints.flatMap((e) => e.errorStatuses.map((x) => ({ call: e.name, status: x.status, class: classify(x.status), count: x.count })));
    out.push(
      record('perf.error-rate', 'failed', {
        expected: `<= ${pct(elim.warning)} on every endpoint (critical above ${pct(elim.critical)})`,
        actual: listed,
        message: `[ERROR RATE] ${listed}`,
        impact: impactOf(er, true),
        responses,
      }),
    );
  }
  return out;
}

/** The judgement as a report of kind observation, ready for AlertMonitor.observe(). */
export function windowReport(j: Judgement, c: Readonly<ResolvedConfig>, location: string): RunbookReport {
  const records = [...j.endpoints.map((e) => healthRecord(e, c.env)).filter((r): r is TestRecord => r !== null), ...perfRecords(j, c)];
  const startedAt = new Date(j.at).toISOString();
  return toReport(
    records,
    { env: c.env, kind: 'observation', runId: `${WINDOW_RUN_PREFIX}${startedAt.replace(/[:.]/g, '-')}`, baseUrl: c.baseUrl, location, startedAt, durationMs: 0 },
    namesOf(c),
  );
}

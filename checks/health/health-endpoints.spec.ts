/**
 * Runbook "1. Basic Service Health": the health and status endpoints answer, /health carries a
 * valid document reporting the database, and answers within the response-time threshold.
 */
import { z } from 'zod';
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { jsonOf, send, type HttpSample } from '../../src/probes/http.ts';
import type { Impact } from '../../src/triage/impact.ts';
import { tierOf } from '../../runbooks/thresholds.ts';
import { sufficiency, summarize } from '../../src/stats/percentiles.ts';

const { paths, env, health } = runConfig();

/** What an answer other than 200 means: 5xx or no answer = unavailable; 404 = misconfigured path; 429 = not tested. */
function impactOf(s: HttpSample): Impact | undefined {
  if (s.status === null || s.status >= 500) return { kind: 'unavailable', status: s.status };
  if (s.status === 404) return { kind: 'gap', reason: `${s.path} does not exist on this target: check the *_PATH variables of ${env}, or set the path to none` };
  if (s.status === 429) return { kind: 'gap', reason: `rate-limited (429): availability of ${s.path} was not tested` };
  return undefined;
}

const endpoints = [
  ['health.root', paths.health, 'CREDLINK_HEALTH_PATH'],
  ['health.status', paths.status, 'CREDLINK_STATUS_PATH'],
  ['health.api-health', paths.apiHealth, 'CREDLINK_API_HEALTH_PATH'],
] as const;
/** A path declared absent (none): the check skips, saying so. */
const absent = (variable: string) => `this deployment has no such endpoint (${variable}=none)`;
const healthPath = paths.health ?? '/health';

for (const [id, path, variable] of endpoints) {
  test(`GET ${path ?? `(${variable}=none)`} answers 200`, runbook(id), async ({ api, check }) => {
    test.skip(path === null, absent(variable));
    const s = await send(api, { path: path! });
    if (s.status !== 200) await check.evidence(`response of GET ${path}`, { status: s.status, error: s.error, body: s.body }, `curl -f {{baseUrl}}${path}`);
    check.that({ label: 'STATUS', ok: s.status === 200, actual: s.status ?? s.error, expected: '== 200', call: `GET ${path}`, impact: impactOf(s) });
  });
}

/**
 * The health document as the runbook reads it (`jq .`, `jq '.checks.database'`): checks.database
 * is required, status must be a string when present; other fields only when the environment
 * requires them (CREDLINK_HEALTH_REQUIRED_FIELDS): a missing version is not a finding by default.
 */
export const healthDocument = z.looseObject({
  status: z.string().optional(),
  checks: z.looseObject({ database: z.string() }),
});

/** Dotted fields the environment requires that the document lacks. */
export function missingFields(doc: unknown, fields: readonly string[]): string[] {
  return fields.filter((f) => {
    let v: unknown = doc;
    for (const part of f.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined || v === null;
  });
}

const documentShape = ['checks.database', 'status (when present)', ...health.requiredFields].join(', ');

test.describe('the /health document', () => {
  test(`the ${healthPath} document carries ${documentShape}`, runbook('health.document'), async ({ api, check }) => {
    test.skip(paths.health === null, absent('CREDLINK_HEALTH_PATH'));
    const s = await send(api, { path: healthPath });
    const body = jsonOf(s) as { checks?: unknown } | undefined;
    test.skip(s.status !== 200 && !body?.checks, `GET ${healthPath} answered ${s.status ?? s.error} with no health document: health.root covers availability`);
    const parsed = healthDocument.safeParse(body);
    const problems = [
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
      ...missingFields(body, health.requiredFields).map((f) => `${f}: missing (CREDLINK_HEALTH_REQUIRED_FIELDS)`),
    ];
    if (problems.length) await check.evidence(`body of GET ${healthPath}`, s.body, 'curl -s {{baseUrl}}{{healthPath}} | jq .', { maxChars: 4000 });
    check.that({
      label: 'BODY',
      ok: problems.length === 0,
      actual: problems.join('; '),
      expected: `carries ${documentShape}`,
      call: `GET ${healthPath}`,
      impact: { kind: 'gap', reason: 'the health document lacks fields the runbook or this environment reads' },
    });
  });

  test(`the ${healthPath} document reports checks.database "ok"`, runbook('health.database-reported'), async ({ api, check }) => {
    test.skip(paths.health === null, absent('CREDLINK_HEALTH_PATH'));
    const s = await send(api, { path: healthPath });
    const db = (jsonOf(s) as { checks?: { database?: unknown } } | undefined)?.checks?.database;
    test.skip(db === undefined, `GET ${healthPath} answered ${s.status ?? s.error} without checks.database`);
    if (db !== 'ok') await check.evidence(`checks of GET ${healthPath}`, { status: s.status, body: jsonOf(s) }, "curl -s {{baseUrl}}{{healthPath}} | jq '.checks.database'");
    check.that({ label: 'CHECKS.DATABASE', ok: db === 'ok', actual: db, expected: '== "ok"', call: `GET ${healthPath}` });
  });
});

test(`GET ${healthPath} answers within the response-time threshold`, runbook('health.latency'), async ({ api, check, config }) => {
  test.skip(paths.health === null, absent('CREDLINK_HEALTH_PATH'));
  const limits = config.thresholds.responseTimeMs;
  const samples: HttpSample[] = [];
  for (let i = 0; i < 3; i++) samples.push(await send(api, { path: healthPath, timeoutMs: Math.max(config.timeouts.requestMs, limits.critical * 2) }));
  // A 429 answers fast and says nothing about the service's speed.
  const answered = samples.filter((s) => s.status !== null && s.status !== 429);
  test.skip(answered.length === 0, `GET ${healthPath} did not answer (or only 429): health.root covers availability`);
  const ms = answered.map((s) => s.ms).sort((a, b) => a - b);
  const median = Math.round(ms[Math.floor(ms.length / 2)]!);
  // Three samples: recorded for the trend chart; no p95/p99 from fewer than 59 (src/stats/percentiles.ts).
  const sum = summarize(ms)!;
  const tail = sufficiency(sum.count) === 'ok';
  const r1 = (v: number) => Math.round(v * 10) / 10;
  check.measure({
    name: `GET ${healthPath}`,
    samples: samples.length,
    p50: r1(sum.p50),
    p95: tail ? r1(sum.p95) : null,
    p99: tail ? r1(sum.p99) : null,
    errorRate: (samples.length - answered.length) / samples.length,
  });
  const tier = tierOf(median, limits);
  if (tier !== 'ok') {
    await check.evidence(`timings of GET ${healthPath} (ms)`, { samples: answered.map((s) => Math.round(s.ms)), median, thresholds: limits }, 'time curl -s {{baseUrl}}{{healthPath}}');
  }
  check.that({
    label: 'LATENCY',
    ok: tier === 'ok',
    actual: `${median} ms median of ${answered.length}`,
    expected: `<= ${limits.warning} ms (critical above ${limits.critical} ms)`,
    call: `GET ${healthPath}`,
    impact: tier === 'ok' ? undefined : { kind: 'threshold', tier, value: median, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
});

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

const { paths, env } = runConfig();

/** What an answer other than 200 means: 5xx or no answer = unavailable; 404 = misconfigured path. */
function impactOf(s: HttpSample): Impact | undefined {
  if (s.status === null || s.status >= 500) return { kind: 'unavailable', status: s.status };
  if (s.status === 404) return { kind: 'gap', reason: `${s.path} does not exist on this target: check the *_PATH variables of ${env}` };
  return undefined;
}

const endpoints = [
  ['health.root', paths.health],
  ['health.status', paths.status],
  ['health.api-health', paths.apiHealth],
] as const;

for (const [id, path] of endpoints) {
  test(`GET ${path} answers 200`, runbook(id), async ({ api, check }) => {
    const s = await send(api, { path });
    if (s.status !== 200) await check.evidence(`response of GET ${path}`, { status: s.status, error: s.error, body: s.body }, `curl -f ${path}`);
    check.that({ label: 'STATUS', ok: s.status === 200, actual: s.status ?? s.error, expected: '== 200', call: `GET ${path}`, impact: impactOf(s) });
  });
}

/** The health document the runbook reads with `jq .` and `jq '.checks.database'`. */
export const healthDocument = z.looseObject({
  status: z.string(),
  version: z.string(),
  uptime: z.number().nonnegative(),
  checks: z.looseObject({ database: z.string() }),
});

test.describe('the /health document', () => {
  test(`the ${paths.health} document has status, version, uptime and checks.database`, runbook('health.document'), async ({ api, check }) => {
    const s = await send(api, { path: paths.health });
    const body = jsonOf(s) as { checks?: unknown } | undefined;
    test.skip(s.status !== 200 && !body?.checks, `GET ${paths.health} answered ${s.status ?? s.error} with no health document: health.root covers availability`);
    const parsed = healthDocument.safeParse(body);
    if (!parsed.success) await check.evidence(`body of GET ${paths.health}`, s.body, `curl -s ${paths.health} | jq .`, { maxChars: 4000 });
    check.that({
      label: 'BODY',
      ok: parsed.success,
      actual: parsed.success ? 'valid' : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      expected: 'matches {status, version, uptime, checks.database}',
      call: `GET ${paths.health}`,
      impact: parsed.success ? undefined : { kind: 'gap', reason: 'the health document lacks fields the runbook reads' },
    });
  });

  test(`the ${paths.health} document reports checks.database "ok"`, runbook('health.database-reported'), async ({ api, check }) => {
    const s = await send(api, { path: paths.health });
    const db = (jsonOf(s) as { checks?: { database?: unknown } } | undefined)?.checks?.database;
    test.skip(db === undefined, `GET ${paths.health} answered ${s.status ?? s.error} without checks.database`);
    if (db !== 'ok') await check.evidence(`checks of GET ${paths.health}`, { status: s.status, body: jsonOf(s) }, `curl -s ${paths.health} | jq '.checks.database'`);
    check.that({ label: 'CHECKS.DATABASE', ok: db === 'ok', actual: db, expected: '== "ok"', call: `GET ${paths.health}` });
  });
});

test(`GET ${paths.health} answers within the response-time threshold`, runbook('health.latency'), async ({ api, check, config }) => {
  const limits = config.thresholds.responseTimeMs;
  const samples: HttpSample[] = [];
  for (let i = 0; i < 3; i++) samples.push(await send(api, { path: paths.health, timeoutMs: Math.max(config.timeouts.requestMs, limits.critical * 2) }));
  const answered = samples.filter((s) => s.status !== null);
  test.skip(answered.length === 0, `GET ${paths.health} did not answer: health.root covers availability`);
  const ms = answered.map((s) => s.ms).sort((a, b) => a - b);
  const median = Math.round(ms[Math.floor(ms.length / 2)]!);
  // Three samples: recorded for the trend chart; no p95/p99 from fewer than 59 (src/stats/percentiles.ts).
  const sum = summarize(ms)!;
  const tail = sufficiency(sum.count) === 'ok';
  const r1 = (v: number) => Math.round(v * 10) / 10;
  check.measure({
    name: `GET ${paths.health}`,
    samples: samples.length,
    p50: r1(sum.p50),
    p95: tail ? r1(sum.p95) : null,
    p99: tail ? r1(sum.p99) : null,
    errorRate: (samples.length - answered.length) / samples.length,
  });
  const tier = tierOf(median, limits);
  if (tier !== 'ok') {
    await check.evidence('timings of GET /health (ms)', { samples: answered.map((s) => Math.round(s.ms)), median, thresholds: limits }, `time curl -s ${paths.health}`);
  }
  check.that({
    label: 'LATENCY',
    ok: tier === 'ok',
    actual: `${median} ms median of ${answered.length}`,
    expected: `<= ${limits.warning} ms (critical above ${limits.critical} ms)`,
    call: `GET ${paths.health}`,
    impact: tier === 'ok' ? undefined : { kind: 'threshold', tier, value: median, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
});

/**
 * Runbook "1. Basic Service Health": the health and status endpoints answer, /health carries a
 * valid document reporting the database truthfully, and answers within the response-time threshold.
 * A failed request is confirmed before the endpoint counts as down (send(), src/probes/confirm.ts):
 * failures followed by a 200 are intermittent errors, counted, never an outage.
 */
import { z } from '../../src/zod.ts';
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { dbErrorLine } from '../../src/probes/database.ts';
import { intermittentFailures, jsonOf, send, type HttpSample } from '../../src/probes/http.ts';
import type { Impact } from '../../src/triage/impact.ts';
import { tierOf } from '../../runbooks/thresholds.ts';
import { sufficiency, summarize } from '../../src/stats/percentiles.ts';
import { classifyHealthStatus, HEALTH_STATUS_VALUES } from './health-status.ts';

const { paths, env, health, databaseUrl } = runConfig();
/** Values of checks.database that say the database failed (IETF health draft "fail" and the usual words). */
const DOWN_WORDS = /^(down|fail|failed|failing|failure|error|unhealthy|unavailable|disconnected|critical)$/i;

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

const statusOf = (a: { status: number | null; error?: string }) => a.status ?? a.error ?? 'no answer';

for (const [id, path, variable] of endpoints) {
  test(`GET ${path ?? `(${variable}=none)`} answers 200`, runbook(id), async ({ api, check }) => {
    test.skip(path === null, absent(variable));
    const s = await send(api, { path: path! });
    const blips = intermittentFailures(s);
    if (s.status !== 200 || blips.length) {
      await check.evidence(`response of GET ${path}`, { status: s.status, error: s.error, attempts: s.attempts, body: s.body }, `curl -f {{baseUrl}}${path}`);
    }
    if (s.status === 200 && blips.length) {
      const attempts = s.attempts ?? [];
      check.that({
        label: 'STATUS',
        ok: false,
        actual: `${attempts.map(statusOf).join(', ')} (${blips.length} of ${attempts.length} attempts failed, then 200)`,
        expected: '== 200 on every attempt',
        call: `GET ${path}`,
        impact: { kind: 'intermittent', call: `GET ${path}`, failed: blips.length, attempts: attempts.length },
      });
    }
    const tried = s.attempts && s.status !== 200 ? ` (confirmed: ${s.attempts.map(statusOf).join(', ')})` : '';
    check.that({ label: 'STATUS', ok: s.status === 200, actual: `${statusOf(s)}${tried}`, expected: '== 200', call: `GET ${path}`, impact: impactOf(s) });
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
    // "down" is the service saying its database failed (the catalog's SEV-1). Any other value
    // ("unknown", a constant) says nothing either way: unverified, at most SEV-2, until a direct
    // probe corroborates it (health.database-truthful compares the two when DATABASE_URL is set).
    const unverified: Impact | undefined =
      db === 'ok' || DOWN_WORDS.test(String(db))
        ? undefined
        : {
            kind: 'unverified',
            claim: `${healthPath} reports checks.database ${JSON.stringify(db)}, which says neither ok nor down`,
            corroborate: databaseUrl ? 'the direct database probe (health.database-truthful, db.connect)' : `a direct database probe (DATABASE_URL for ${env}) or Prometheus database metrics (PROMETHEUS_URL)`,
          };
    check.that({ label: 'CHECKS.DATABASE', ok: db === 'ok', actual: db, expected: '== "ok"', call: `GET ${healthPath}`, impact: unverified });
  });

  // The document's own verdict (IETF health-check draft: pass/warn/fail and aliases). A 2xx that says
  // "fail" keeps load balancers and probes routing to a service that reports itself down.
  test(`the ${healthPath} document's status does not report the service unhealthy`, runbook('health.self-status'), async ({ api, check }) => {
    test.skip(paths.health === null, absent('CREDLINK_HEALTH_PATH'));
    const s = await send(api, { path: healthPath });
    test.skip(s.status === null || s.status < 200 || s.status >= 300, `GET ${healthPath} answered ${s.status ?? s.error}: health.root covers availability`);
    const status = (jsonOf(s) as { status?: unknown } | undefined)?.status;
    test.skip(status === undefined, `the ${healthPath} document has no status field (health.document says whether it must)`);
    // A status that is not a string is a malformed document: health.document reports it, once.
    test.skip(typeof status !== 'string', `the ${healthPath} document's status is ${JSON.stringify(status)}, not a string: health.document reports the malformed document`);
    const cls = classifyHealthStatus(status);
    const known = Object.values(HEALTH_STATUS_VALUES).flat().join(', ');
    if (cls === 'fail' || cls === 'unknown') await check.evidence(`body of GET ${healthPath}`, { status: s.status, body: jsonOf(s) }, "curl -s {{baseUrl}}{{healthPath}} | jq '.status'");
    check.that({
      label: 'STATUS',
      ok: cls === 'pass' || cls === 'warn',
      actual: cls === 'fail' ? `${JSON.stringify(status)} with HTTP ${s.status}: the service reports itself unhealthy` : `${JSON.stringify(status)}: not a status value this check can read`,
      expected: `a healthy status (${[...HEALTH_STATUS_VALUES.pass, ...HEALTH_STATUS_VALUES.warn].join(', ')})`,
      call: `GET ${healthPath}`,
      impact: cls === 'unknown' ? { kind: 'gap', reason: `the health document's status ${JSON.stringify(status)} is none of ${known}: whether the service reports itself healthy is not known` } : undefined,
    });
  });

  // Corroboration: the document's claim against a direct probe of the same dependency. Without
  // DATABASE_URL there is nothing to compare: health.database-reported decides alone.
  test(`the ${healthPath} document reports the database as a direct probe finds it`, runbook('health.database-truthful'), async ({ api, check, db }) => {
    test.skip(paths.health === null, absent('CREDLINK_HEALTH_PATH'));
    test.skip(!db, `DATABASE_URL is not set for ${env}: no direct database probe to compare the health document with`);
    const observe = async () => {
      const s = await send(api, { path: healthPath });
      const reported = (jsonOf(s) as { checks?: { database?: unknown } } | undefined)?.checks?.database;
      let direct: string | undefined;
      try {
        await db!.query('SELECT 1');
      } catch (err) {
        direct = dbErrorLine(err);
      }
      return { status: s.status, reported, direct };
    };
    let seen = await observe();
    test.skip(seen.reported === undefined, `GET ${healthPath} answered ${seen.status} without checks.database`);
    const agree = (o: typeof seen) => (o.reported === 'ok') === (o.direct === undefined);
    // The two are read a moment apart: a disagreement must hold on a second look before it counts.
    if (!agree(seen)) {
      await new Promise((r) => setTimeout(r, 500));
      seen = await observe();
    }
    const ok = seen.reported === undefined || agree(seen);
    const directText = seen.direct === undefined ? 'a direct SELECT 1 succeeds' : `a direct SELECT 1 fails (${seen.direct})`;
    if (!ok) await check.evidence('health document vs direct probe', { healthStatus: seen.status, reported: seen.reported, direct: seen.direct ?? 'ok', where: db!.where }, "curl -s {{baseUrl}}{{healthPath}} | jq '.checks.database'");
    check.that({
      label: 'CHECKS.DATABASE',
      ok,
      actual: `${JSON.stringify(seen.reported)} while ${directText}`,
      expected: 'agrees with a direct SELECT 1',
      call: `GET ${healthPath} and SELECT 1 on ${db!.where}`,
      impact: { kind: 'gap', reason: 'the health endpoint does not report the database truthfully' },
    });
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

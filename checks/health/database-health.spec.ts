/**
 * Runbook "3. Database Health" and "Incident: Database Connection Issues", read-only, through
 * one monitor connection with timeouts. Skips with a reason when DATABASE_URL is not configured.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { dbErrorLine } from '../../src/probes/database.ts';
import { tierOf } from '../../runbooks/thresholds.ts';

const cfg = runConfig();
test.skip(!cfg.databaseUrl, `DATABASE_URL is not set for environment "${cfg.env}": database checks skip`);

test('the database accepts a connection and answers SELECT 1', runbook('db.connect'), async ({ db, check }) => {
  let error: string | undefined;
  let version: string | undefined;
  try {
    await db!.query('SELECT 1');
    version = (await db!.query<{ v: string }>('SELECT version() AS v'))[0]?.v;
  } catch (err) {
    error = dbErrorLine(err);
  }
  if (error) await check.evidence('connection attempt', { where: db!.where, error }, "pool.query('SELECT 1')");
  else await check.evidence('server version', version ?? 'unknown', "pool.query('SELECT version()')");
  check.that({ label: 'CONNECT', ok: !error, actual: error, expected: 'succeeds', call: `SELECT 1 on ${db!.where}` });
});

test('a SELECT 1 round trip stays under the database latency threshold', runbook('db.round-trip'), async ({ db, check, config }) => {
  const limits = config.thresholds.databaseRoundTripMs;
  const ms: number[] = [];
  try {
    for (let i = 0; i < 5; i++) ms.push(await db!.roundTripMs());
  } catch (err) {
    test.skip(true, `database unreachable (${dbErrorLine(err)}): db.connect covers connectivity`);
  }
  ms.sort((a, b) => a - b);
  const median = Math.round(ms[2]!);
  const tier = tierOf(median, limits);
  if (tier !== 'ok') await check.evidence('SELECT 1 round trips (ms)', { samples: ms.map(Math.round), median, thresholds: limits }, "pool.query('SELECT 1') timed");
  check.that({
    label: 'DB ROUND TRIP',
    ok: tier === 'ok',
    actual: `${median} ms median of 5`,
    expected: `<= ${limits.warning} ms (critical above ${limits.critical} ms)`,
    call: `SELECT 1 on ${db!.where}`,
    impact: tier === 'ok' ? undefined : { kind: 'threshold', tier, value: median, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
});

test('client connections stay under the warning share of max_connections', runbook('db.connections'), async ({ db, check, config }) => {
  const limits = config.thresholds.dbConnectionsRatio;
  let rows: { used: number; max: number }[];
  let byState: unknown[] = [];
  try {
    // The probe's own session is not load: count client backends other than this one.
    rows = await db!.query<{ used: number; max: number }>(
      `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS used,
              current_setting('max_connections')::int AS max`,
    );
    byState = await db!.query(
      `SELECT coalesce(state, 'unknown') AS state, usename AS role, count(*)::int AS connections
         FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20`,
    );
  } catch (err) {
    test.skip(true, `database unreachable (${dbErrorLine(err)}): db.connect covers connectivity`);
    return;
  }
  const { used, max } = rows[0]!;
  const ratio = used / max;
  const tier = tierOf(ratio, limits);
  if (tier !== 'ok') await check.evidence('connections by state and role', byState, 'SELECT count(*) AS total FROM pg_stat_activity');
  check.that({
    label: 'DB CONNECTIONS',
    ok: tier === 'ok',
    actual: `${used}/${max} (${Math.round(ratio * 100)}%)`,
    expected: `<= ${Math.round(limits.warning * 100)}% of max_connections (critical above ${Math.round(limits.critical * 100)}%)`,
    call: `pg_stat_activity on ${db!.where}`,
    impact: tier === 'ok' ? undefined : { kind: 'threshold', tier, value: Math.round(ratio * 100) / 100, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
});

test('no statement in pg_stat_statements averages above the database latency threshold', runbook('db.slow-queries'), async ({ db, check, config }) => {
  const limits = config.thresholds.databaseRoundTripMs;
  let top: { query: string; calls: number; mean_ms: number }[] = [];
  try {
    await db!.connect();
  } catch (err) {
    test.skip(true, `database unreachable (${dbErrorLine(err)}): db.connect covers connectivity`);
  }
  try {
    // PostgreSQL 13 renamed mean_time to mean_exec_time (the runbook's query uses the old name).
    top = await db!.query(
      `SELECT left(query, 200) AS query, calls::int AS calls, round(mean_exec_time::numeric, 1)::float AS mean_ms
         FROM pg_stat_statements WHERE calls > 0 AND query NOT ILIKE '%pg_stat_statements%'
        ORDER BY mean_exec_time DESC LIMIT 5`,
    );
  } catch (err) {
    test.skip(true, `pg_stat_statements unavailable (${dbErrorLine(err)}): slow-query check skipped, not failed`);
    return;
  }
  const worst = top[0];
  const tier = worst ? tierOf(worst.mean_ms, limits) : 'ok';
  if (tier !== 'ok') await check.evidence('slowest statements by mean time', top, 'SELECT query, mean_exec_time, calls FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 5');
  check.that({
    label: 'MEAN STATEMENT TIME',
    ok: tier === 'ok',
    actual: worst ? `${worst.mean_ms} ms for ${worst.query.replace(/\s+/g, ' ').slice(0, 80)}` : 'no statements',
    expected: `<= ${limits.warning} ms (critical above ${limits.critical} ms)`,
    call: `pg_stat_statements on ${db!.where}`,
    impact: tier === 'ok' || !worst ? undefined : { kind: 'threshold', tier, value: worst.mean_ms, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
});

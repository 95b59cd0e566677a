/**
 * Runbook "Monitoring & Alerting": the key metrics, queried from Prometheus (PROMETHEUS_URL)
 * and compared with the alert thresholds. Metric and label names are configuration. A query
 * with no series (or no samples in the window) is "no data": a monitoring gap (SEV-3), never
 * a pass. Skips when PROMETHEUS_URL is not set.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import type { CheckId } from '../../runbooks/catalog.ts';
import { tierOf, type Tier } from '../../runbooks/thresholds.ts';
import { errorRateQuery, latencyP95Query, ratioQuery, type KeyQuery } from '../../src/perf/promql.ts';
import { instantQuery, PrometheusError, type QueryResult } from '../../src/probes/prometheus.ts';

const cfg = runConfig();
const prom = cfg.prometheus;
test.skip(!prom, `PROMETHEUS_URL is not set for environment "${cfg.env}": Prometheus checks skip`);

interface KeyMetric {
  id: CheckId;
  title: string;
  label: string;
  query: () => KeyQuery;
  limits: () => Tier;
  /** Query value -> the unit of the thresholds (seconds -> ms for latency). */
  scale: number;
  show: (v: number) => string;
  /** The runbook's own expression, for the evidence. */
  runbook: string;
  /** The setting that declares this metric absent when it is none. */
  setting: string;
  /** The configured query or metric (null: declared absent). */
  configured: () => string | null;
}

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
const ms = (v: number) => `${Math.round(v)} ms`;

const metrics: KeyMetric[] = [
  {
    id: 'prom.error-rate',
    title: 'Prometheus: the 5xx share of HTTP requests stays under the warning threshold',
    label: 'PROM ERROR RATE',
    query: () => errorRateQuery({ ...prom!, requestsMetric: prom!.requestsMetric! }),
    setting: 'CREDLINK_PROM_REQUESTS_METRIC',
    configured: () => prom!.requestsMetric,
    limits: () => cfg.thresholds.errorRate,
    scale: 1,
    show: pct,
    runbook: 'rate(http_requests_total{status=~"5.."}[5m])',
  },
  {
    id: 'prom.latency',
    title: 'Prometheus: histogram p95 of request duration stays under the warning threshold',
    label: 'PROM P95',
    query: () => latencyP95Query({ ...prom!, durationMetric: prom!.durationMetric! }),
    setting: 'CREDLINK_PROM_DURATION_METRIC',
    configured: () => prom!.durationMetric,
    limits: () => cfg.thresholds.responseTimeMs,
    scale: 1000,
    show: ms,
    runbook: 'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))',
  },
  {
    id: 'prom.memory',
    title: 'Prometheus: memory use stays under the warning share of its limit',
    label: 'PROM MEMORY',
    query: () => ratioQuery(prom!.memoryQuery!),
    setting: 'CREDLINK_PROM_MEMORY_QUERY',
    configured: () => prom!.memoryQuery,
    limits: () => cfg.thresholds.memoryRatio,
    scale: 1,
    show: pct,
    runbook: 'container_memory_usage_bytes / container_spec_memory_limit_bytes',
  },
  {
    id: 'prom.cpu',
    title: 'Prometheus: CPU use stays under the warning share of its limit',
    label: 'PROM CPU',
    query: () => ratioQuery(prom!.cpuQuery!),
    setting: 'CREDLINK_PROM_CPU_QUERY',
    configured: () => prom!.cpuQuery,
    limits: () => cfg.thresholds.cpuRatio,
    scale: 1,
    show: pct,
    runbook: 'rate(container_cpu_usage_seconds_total[5m])',
  },
  {
    id: 'prom.db-connections',
    title: 'Prometheus: database connections stay under the warning share of max_connections',
    label: 'PROM DB CONNECTIONS',
    query: () => ratioQuery(prom!.dbConnectionsQuery!),
    setting: 'CREDLINK_PROM_DB_CONNECTIONS_QUERY',
    configured: () => prom!.dbConnectionsQuery,
    limits: () => cfg.thresholds.dbConnectionsRatio,
    scale: 1,
    show: pct,
    runbook: 'pg_stat_database_numbackends',
  },
];

for (const m of metrics) {
  test(m.title, runbook(m.id), async ({ check }) => {
    // Declared absent (e.g. no container metrics on this platform): skipped with the reason, never "no data" every run.
    test.skip(m.configured() === null, `declared absent for ${cfg.env} (${m.setting}=none)`);
    const q = m.query();
    const limits = m.limits();
    const call = `${prom!.url}/api/v1/query ${q.value}`;
    let presence: QueryResult;
    let result: QueryResult;
    try {
      presence = await instantQuery(prom!.url, q.presence, prom!.timeoutMs, prom!.token);
      result = presence.kind === 'value' ? await instantQuery(prom!.url, q.value, prom!.timeoutMs, prom!.token) : presence;
    } catch (err) {
      if (!(err instanceof PrometheusError)) throw err;
      await check.evidence('Prometheus query', { query: q.value, error: err.message }, m.runbook);
      check.that({ label: m.label, ok: false, actual: `Prometheus ${err.message}`, expected: 'a value from Prometheus', call, impact: { kind: 'gap', reason: `Prometheus ${err.message}` } });
      return;
    }
    if (result.kind === 'no-data') {
      const what = presence.kind === 'no-data' ? `no series for ${q.presence}: check the metric/label names (CREDLINK_PROM_*)` : `${result.reason} in the last ${prom!.window}`;
      await check.evidence('Prometheus queries', { presence: q.presence, value: q.value, result: what }, m.runbook);
      check.that({ label: m.label, ok: false, actual: `no data: ${what}`, expected: 'a value (no data is a monitoring gap)', call, impact: { kind: 'gap', reason: `no data from Prometheus for ${m.id}` } });
      return;
    }
    const value = result.value * m.scale;
    const tier = tierOf(value, limits);
    if (tier !== 'ok') await check.evidence('Prometheus value', { query: q.value, value: result.value, series: result.series, thresholds: limits }, m.runbook);
    check.that({
      label: m.label,
      ok: tier === 'ok',
      actual: m.show(value),
      expected: `<= ${m.show(limits.warning)} (critical above ${m.show(limits.critical)})`,
      call,
      impact: tier === 'ok' ? undefined : { kind: 'threshold', tier, value: Math.round(value * 1000) / 1000, limit: limits[tier] },
    });
  });
}

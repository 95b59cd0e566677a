/**
 * What the monitor saw against what the service's metrics say. Runs after every other check
 * (one worker, files in path order: telemetry/ comes last), so it sees every 5xx answer the run
 * received through the request budget (src/budget/ledger.ts). When the run received 5xx and
 * Prometheus counts none for the same window, the service's metrics miss those errors: every
 * error-rate alert on them (and prom.error-rate) is blind to them. Skips when PROMETHEUS_URL or
 * the requests metric is not configured, or when the run received no 5xx (nothing to compare).
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { RequestLedger } from '../../src/budget/ledger.ts';
import { errorRateQuery, serverErrorsSinceQuery } from '../../src/perf/promql.ts';
import { instantQuery, PrometheusError } from '../../src/probes/prometheus.ts';

const cfg = runConfig();
const prom = cfg.prometheus;

test('Prometheus counts the 5xx answers this run received from the target', runbook('prom.counts-run-errors'), async ({ ledger, check }) => {
  test.skip(!prom, `PROMETHEUS_URL is not set for environment "${cfg.env}": nothing to compare with`);
  test.skip(prom!.requestsMetric === null, `no requests metric for ${cfg.env} (CREDLINK_PROM_REQUESTS_METRIC=none)`);
  const seen = RequestLedger.summary(ledger.dir)?.serverErrors;
  test.skip(!seen, 'this run received no 5xx answer: nothing to compare');
  const names = { ...prom!, requestsMetric: prom!.requestsMetric! };
  const call = `${prom!.url}/api/v1/query`;
  try {
    // No series with the status label at all: prom.error-rate reports that gap, not this check.
    const presence = await instantQuery(prom!.url, errorRateQuery(names).presence, prom!.timeoutMs, prom!.token);
    test.skip(presence.kind === 'no-data', `no ${names.requestsMetric} series with ${names.statusLabel}: prom.error-rate reports the missing data`);
    // Poll until a scrape has taken in the run's last answers, within the configured wait.
    const until = Date.now() + prom!.scrapeWaitS * 1000;
    let counted = 0;
    let query = '';
    for (;;) {
      // From just before the first 5xx (2 s for clock skew) to now: counters gained since then.
      query = serverErrorsSinceQuery(names, (Date.now() - seen!.firstMs) / 1000 + 2);
      const r = await instantQuery(prom!.url, query, prom!.timeoutMs, prom!.token);
      counted = r.kind === 'value' ? r.value : 0;
      if (counted > 0 || Date.now() + 2000 > until) break;
      await new Promise((res) => setTimeout(res, 2000));
    }
    if (counted <= 0) {
      await check.evidence('5xx answers this run received, and what Prometheus counted', { received: seen, since: new Date(seen!.firstMs).toISOString(), prometheusCounted: counted, query, waitedS: prom!.scrapeWaitS }, 'curl -s "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=<the query above>"');
    }
    check.that({
      label: 'METRICS SEE ERRORS',
      ok: counted > 0,
      actual: `this run received ${seen!.count} 5xx (${Object.entries(seen!.calls).map(([c, n]) => `${n}x ${c}`).join(', ')}); Prometheus counts ${Math.round(counted)} 5xx of ${names.requestsMetric} since then`,
      expected: 'Prometheus counts 5xx in the same window (the service\'s metrics see the errors its clients get)',
      call,
      impact: { kind: 'gap', reason: 'the service\'s metrics miss 5xx answers its clients receive: error-rate alerts on them cannot see those errors' },
    });
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    check.that({ label: 'METRICS SEE ERRORS', ok: false, actual: `Prometheus ${err.message}`, expected: 'a value from Prometheus', call, impact: { kind: 'gap', reason: `Prometheus ${err.message}` } });
  }
});

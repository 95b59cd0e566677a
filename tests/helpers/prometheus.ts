/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests: loopback only, a temporary config
 * scraping its targets every second (and evaluating rule files, sending alerts to an
 * Alertmanager when given), temporary storage removed at stop.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { freePort } from '../../src/target/postgres.ts';
import { tempDir } from './harness.ts';
import { PROMETHEUS, startService } from './programs.ts';

export interface TestPrometheus {
  url: string;
  /** Resolves once `expr` returns a value >= min (polls every 250 ms, up to timeoutMs). */
  waitFor(expr: string, min: number, timeoutMs?: number): Promise<number>;
  /** The result vector of an instant query (empty when it has none or Prometheus does not answer). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Prometheus' own log (warnings and errors), for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}

export const PROMETHEUS_BIN = PROMETHEUS.path;

export interface PrometheusOptions {
  /** job name -> targets as URLs (host:port is scraped at /metrics). */
  jobs: Record<string, string[]>;
  /** Rule files evaluated every second. */
  ruleFiles?: string[];
  /** Where firing alerts go. */
  alertmanagerUrl?: string;
}

async function vector(url: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    return body.data?.result ?? [];
  } catch {
    return [];
  }
}

/** One target (the reference target, job credlink-reference), or jobs, rules and an Alertmanager. */
export async function startPrometheus(target: string | PrometheusOptions): Promise<TestPrometheus> {
  const o: PrometheusOptions = typeof target === 'string' ? { jobs: { 'credlink-reference': [target] } } : target;
  const dir = tempDir('credlink-prom-');
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    YAML.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      ...(o.ruleFiles?.length ? { rule_files: o.ruleFiles } : {}),
      ...(o.alertmanagerUrl ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(o.alertmanagerUrl).host] }] }] } } : {}),
      scrape_configs: Object.entries(o.jobs).map(([job, urls]) => ({ job_name: job, metrics_path: '/metrics', static_configs: [{ targets: urls.map((u) => new URL(u).host) }] })),
    }),
  );
  const service = startService(PROMETHEUS_BIN, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ], dir);
  const { child } = service;
  const url = `http://127.0.0.1:${port}`;
  const stop = service.stop;
  const waitFor = async (expr: string, min: number, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = (await vector(url, expr))[0]?.value[1];
      const n = v === undefined ? null : Number(v);
      if (n !== null && n >= min) return n;
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${service.log()}`);
      if (Date.now() > until) throw new Error(`prometheus: ${expr} did not reach ${min} within ${timeoutMs} ms (last ${n})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  try {
    const [job, urls] = Object.entries(o.jobs)[0]!;
    await waitFor(`sum(up{job="${job}"})`, urls.length, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, waitFor, query: (expr) => vector(url, expr), log: service.log, stop };
}

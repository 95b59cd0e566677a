/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests: loopback only, a temporary config
 * scraping one target every second, temporary storage removed at stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/target/postgres.ts';
import { tempDir } from './harness.ts';

export interface TestPrometheus {
  url: string;
  /** Resolves once `expr` returns a value >= min (polls every 250 ms, up to timeoutMs). */
  waitFor(expr: string, min: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

async function query(url: string, expr: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = body.data?.result?.[0]?.value[1];
    return v === undefined ? null : Number(v);
  } catch {
    return null;
  }
}

export async function startPrometheus(targetUrl: string): Promise<TestPrometheus> {
  const dir = tempDir('credlink-prom-');
  const port = await freePort();
  const target = new URL(targetUrl);
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: credlink-reference',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const waitFor = async (expr: string, min: number, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await query(url, expr);
      if (v !== null && v >= min) return v;
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
      if (Date.now() > until) throw new Error(`prometheus: ${expr} did not reach ${min} within ${timeoutMs} ms (last ${v})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await waitFor('up{job="credlink-reference"}', 1, 30_000);
  return {
    url,
    waitFor,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

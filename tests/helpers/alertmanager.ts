/**
 * A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) for tests: loopback only,
 * clustering off, temporary storage removed at stop, and the shipped example configuration
 * (deploy/alertmanager/alertmanager.yml) with only what a test must change: its receivers become
 * webhooks to a loopback receiver (`<url>/<receiver name>`), and its timers are short.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { freePort } from '../../src/target/postgres.ts';
import { tempDir } from './harness.ts';
import { ALERTMANAGER, startService } from './programs.ts';

export const ALERTMANAGER_EXAMPLE = path.join(PROJECT_ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');

export interface AlertmanagerTimers {
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  resolveTimeout: string;
}

type Route = { routes?: Route[]; group_wait?: string; group_interval?: string; repeat_interval?: string };

/**
 * The shipped example for a test: route tree, grouping, matchers and inhibit rules as shipped;
 * every receiver a webhook to `${webhook}/${name}`; timers shortened everywhere they are set.
 */
export function testAlertmanagerConfig(webhook: string, timers: AlertmanagerTimers, shipped = fs.readFileSync(ALERTMANAGER_EXAMPLE, 'utf8')): string {
  const doc = YAML.parse(shipped) as { global?: Record<string, unknown>; route: Route; receivers: { name: string }[] };
  doc.global = { ...doc.global, resolve_timeout: timers.resolveTimeout };
  const shorten = (r: Route) => {
    if (r.group_wait) r.group_wait = timers.groupWait;
    if (r.group_interval) r.group_interval = timers.groupInterval;
    if (r.repeat_interval) r.repeat_interval = timers.repeatInterval;
    r.routes?.forEach(shorten);
  };
  shorten(doc.route);
  doc.route = { ...doc.route, group_wait: timers.groupWait, group_interval: timers.groupInterval, repeat_interval: timers.repeatInterval };
  doc.receivers = doc.receivers.map((r) => ({ name: r.name, webhook_configs: [{ url: `${webhook}/${r.name}`, send_resolved: true, max_alerts: 0 }] }));
  return YAML.stringify(doc);
}

export interface AlertState {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

export interface TestAlertmanager {
  url: string;
  /** Alerts Alertmanager holds (API v2), with their state and what inhibits them. */
  alerts(): Promise<AlertState[]>;
  /** Posts alerts as Prometheus would (API v2). */
  post(alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }[]): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(configYaml: string): Promise<TestAlertmanager> {
  const dir = tempDir('credlink-am-');
  const port = await freePort();
  const config = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(config, configYaml);
  const url = `http://127.0.0.1:${port}`;
  const service = startService(ALERTMANAGER.path, [
      `--config.file=${config}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip: a lone instance, nothing listening beyond the web port.
      '--cluster.listen-address=',
      '--log.level=warn',
    ], dir);
  const { child } = service;
  const stop = service.stop;
  try {
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
      } catch {
        /* not yet listening */
      }
      if (child.exitCode !== null) throw new Error(`alertmanager exited (${child.exitCode}): ${service.log()}`);
      if (Date.now() > until) throw new Error(`alertmanager not ready within 20 s: ${service.log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(2000) });
      return (await res.json()) as AlertState[];
    },
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts), signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    log: service.log,
    stop,
  };
}

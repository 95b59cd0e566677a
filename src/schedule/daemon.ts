/**
 * Wires the daemon: environment configurations (all validated before anything starts), the
 * alert monitor over the state directory, the run history, the scheduler and the HTTP routes
 * /metrics, /healthz, /history, the status page, the run folders it keeps (/runs/) and the
 * living runbook (/runbook, when CREDLINK_RUNBOOK_PATH is set). The status page, /metrics'
 * incident gauges and the living runbook read one state (statusFromReportsDir over one
 * ReportsSource), so their figures agree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { AlertMonitor } from '../alerting/monitor.ts';
import { AlertStore } from '../alerting/store.ts';
import { CliError, ConfigError } from '../errors.ts';
import { executeRun } from '../run/execute.ts';
import type { ScheduleConfig } from './config.ts';
import { RunHistory } from './history.ts';
import { DaemonServer } from './http.ts';
import { Cron } from 'croner';
import { catalogEntries } from '../coverage/catalog-entries.ts';
import { htmlPageRoute, statusPageRoute } from '../report/status-route.ts';
import { orderWorstFirst } from '../report/status-page.ts';
import { ReportsSource, statusFromReportsDir } from '../report/status-state.ts';
import type { RunbookLinks, RunbookSource } from '../runbook-md/link.ts';
import { renderLivingRunbook } from '../runbook-md/living.ts';
import { renderIncidentMetrics, renderMetrics } from './metrics.ts';
import { runFilesRoute } from './run-files.ts';
import { Scheduler, type Runner } from './scheduler.ts';

export interface Daemon {
  scheduler: Scheduler;
  server: DaemonServer;
  monitor: AlertMonitor;
  history: RunHistory;
  url: string | null;
  stop(): Promise<void>;
}

export function loadEnvironments(config: ScheduleConfig): Map<string, Readonly<ResolvedConfig>> {
  const out = new Map<string, Readonly<ResolvedConfig>>();
  const problems: string[] = [];
  for (const e of config.environments) {
    try {
      out.set(e.env, loadConfig({ env: e.env }));
    } catch (err) {
      if (err instanceof CliError) problems.push(...err.lines);
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(problems);
  runbookOf(out);
  return out;
}

/**
 * The runbook of the daemon: configured once, so every scheduled environment must name the same
 * one (set CREDLINK_RUNBOOK_URL / CREDLINK_RUNBOOK_PATH in the process environment, or the same
 * value in every file). Different values: ConfigError naming them.
 */
export function runbookOf(configs: ReadonlyMap<string, Readonly<ResolvedConfig>>): RunbookSource {
  const list = [...configs.values()];
  const first = list[0]?.runbook ?? {};
  const problems: string[] = [];
  for (const key of ['url', 'path'] as const) {
    const values = new Set(list.map((c) => c.runbook[key] ?? ''));
    if (values.size > 1) {
      problems.push(`CREDLINK_RUNBOOK_${key.toUpperCase()} differs between the scheduled environments (${list.map((c) => `${c.env}: ${c.runbook[key] ?? 'unset'}`).join(', ')}): the runbook is configured once; set it in the process environment`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { ...first };
}

export function defaultRunner(configs: Map<string, Readonly<ResolvedConfig>>, reportsDir: string): Runner {
  return async (env, signal) => {
    const { report } = await executeRun({ config: configs.get(env.env)!, reportsDir, grep: env.grep, log: () => {}, signal });
    return report;
  };
}

export async function startDaemon(o: {
  config: ScheduleConfig;
  configs: Map<string, Readonly<ResolvedConfig>>;
  runner?: Runner;
  log: (line: string) => void;
  listen?: boolean;
}): Promise<Daemon> {
  const { config, configs, log } = o;
  const monitor = new AlertMonitor({
    store: new AlertStore(config.stateDir),
    configFor: (env) => {
      const c = configs.get(env);
      if (!c) throw new Error(`no configuration for environment ${env} (queued alert of an environment no longer scheduled)`);
      return c;
    },
    log: (level, line) => log(`${level === 'error' ? 'ERROR ' : ''}${line}`),
  });
  const history = new RunHistory(config.stateDir, config.historySize);
  const scheduler = new Scheduler({ config, runner: o.runner ?? defaultRunner(configs, config.reportsDir), monitor, history, log });
  const envNames = config.environments.map((e) => e.env);
  const runbook = runbookOf(configs);
  const reports = new ReportsSource(config.reportsDir, 300);
  const staleAfterMs = 3 * maxIntervalMs(config);
  // One state for the status page, /metrics' incident gauges and the living runbook.
  const status = () => statusFromReportsDir(reports, { envs: envNames, refreshSeconds: 30, staleAfterMs });
  const links: RunbookLinks = { url: runbook.url, living: runbook.path ? '/runbook' : undefined };
  const runHref = (env: string, runId: string) => `/runs/${encodeURIComponent(env)}/${encodeURIComponent(runId)}/`;
  const server = new DaemonServer()
    .route('/metrics', 'Prometheus metrics per check and environment', () => ({
      status: 200,
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      body: renderMetrics(Object.values(monitor.incidents()), scheduler.statuses(), monitor.outbox()) + renderIncidentMetrics(status().environments),
    }))
    .route('/healthz', 'daemon liveness and per-environment schedule (503 while shutting down)', () => {
      const stopping = scheduler.isStopping();
      const outbox = monitor.outbox();
      return {
        status: stopping ? 503 : 200,
        contentType: 'application/json',
        body: JSON.stringify({
          status: stopping ? 'stopping' : 'ok',
          environments: scheduler.statuses(),
          alerts: { pending: outbox.length, configErrors: outbox.filter((i) => i.configError).length },
        }, null, 2),
      };
    })
    .route('/history', 'bounded run history of one environment: /history?env=NAME', (url) => {
      const env = url.searchParams.get('env') ?? '';
      if (!configs.has(env)) return { status: 404, contentType: 'application/json', body: JSON.stringify({ error: `unknown environment "${env}"`, environments: [...configs.keys()] }) };
      return { status: 200, contentType: 'application/json', body: JSON.stringify(history.list(env)) };
    })
    .mount(
      '/, /status, /status.json',
      'status page: the worst state first, per environment its open incidents (section, since when, first steps, report link); refreshes itself',
      statusPageRoute(status, { root: true, page: { links, runHref } }),
    )
    .mount('/runs/<env>/<run-id>/', 'the run folders the daemon keeps (reports of each run), read-only', runFilesRoute(config.reportsDir, envNames));
  if (runbook.path) {
    const file = runbook.path;
    server.mount(
      '/runbook',
      'the living runbook: the runbook document with the current state of the checks that cover each section',
      htmlPageRoute('/runbook', () => {
        const state = status();
        return renderLivingRunbook({
          markdown: fs.readFileSync(file, 'utf8'),
          sourceName: path.basename(file),
          entries: catalogEntries(),
          environments: orderWorstFirst(state.environments),
          generatedAt: state.generatedAt,
          runHref,
          back: { href: '/status', text: 'status page' },
          refreshSeconds: state.refreshSeconds,
        });
      }),
    );
  }
  const url = o.listen === false ? null : await server.listen(config.listen.host, config.listen.port);
  scheduler.start();
  return {
    scheduler,
    server,
    monitor,
    history,
    url,
    async stop() {
      await scheduler.stop();
      await server.close();
    },
  };
}

/** The longest gap between two scheduled runs of any environment: beyond 3x that, a state is stale. */
function maxIntervalMs(config: ScheduleConfig): number {
  let max = 60_000;
  for (const e of config.environments) {
    if (e.intervalSeconds) max = Math.max(max, e.intervalSeconds * 1000);
    else if (e.cron) {
      const job = new Cron(e.cron, { timezone: e.timezone, paused: true });
      const [a, b] = job.nextRuns(2);
      job.stop();
      if (a && b) max = Math.max(max, b.getTime() - a.getTime());
    }
  }
  return max;
}

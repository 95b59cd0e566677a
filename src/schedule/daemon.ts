/**
 * Wires the daemon: environment configurations (all validated before anything starts), the
 * alert monitor over the state directory, the run history, the scheduler and the HTTP routes
 * /metrics, /healthz and /history.
 */
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { AlertMonitor } from '../alerting/monitor.ts';
import { AlertStore } from '../alerting/store.ts';
import { CliError, ConfigError } from '../errors.ts';
import { executeRun } from '../run/execute.ts';
import type { ScheduleConfig } from './config.ts';
import { RunHistory } from './history.ts';
import { DaemonServer } from './http.ts';
import { Cron } from 'croner';
import { statusPageRoute } from '../report/status-route.ts';
import { statusFromReportsDir } from '../report/status-state.ts';
import { renderMetrics } from './metrics.ts';
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
  return out;
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
  const server = new DaemonServer()
    .route('/metrics', 'Prometheus metrics per check and environment', () => ({
      status: 200,
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      body: renderMetrics(Object.values(monitor.incidents()), scheduler.statuses(), monitor.outbox()),
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
      'status page: per environment the current state, open incidents and a 24-hour timeline per check (refreshes itself)',
      statusPageRoute(
        () =>
          statusFromReportsDir(config.reportsDir, {
            envs: config.environments.map((e) => e.env),
            refreshSeconds: 30,
            staleAfterMs: 3 * maxIntervalMs(config),
            maxRuns: 300,
          }),
        { root: true },
      ),
    );
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

/**
 * Wires the daemon: environment configurations (all validated before anything starts), the lock
 * of the state directory (one daemon per state), the alert monitor and run history over that
 * directory (saves that fail are retried and reported, src/state/health.ts), the scheduler and the
 * HTTP routes /metrics, /healthz, /livez, /history, the status page, the run folders it keeps
 * (/runs/) and the living runbook (/runbook, when CREDLINK_RUNBOOK_PATH is set). The status page,
 * /metrics' incident gauges and the living runbook read one state (statusFromReportsDir over one
 * ReportsSource), so their figures agree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { AlertMonitor } from '../alerting/monitor.ts';
import { namesOf, unknownNames } from '../../runbooks/commands.ts';
import { AlertStore } from '../alerting/store.ts';
import { catalogEntries } from '../coverage/catalog-entries.ts';
import { DEFAULT_LOCATION } from '../../config/location.ts';
import { version } from '../version.ts';
import { CliError, ConfigError } from '../errors.ts';
import { latestEvidence } from '../incidents/open.ts';
import { htmlPageRoute, statusPageRoute } from '../report/status-route.ts';
import { orderWorstFirst } from '../report/status-page.ts';
import { ReportsSource, statusFromReportsDir } from '../report/status-state.ts';
import { withWindowIncidents } from '../report/status-window.ts';
import type { RunbookLinks, RunbookSource } from '../runbook-md/link.ts';
import { renderLivingRunbook } from '../runbook-md/living.ts';
import { removeStaleTemps } from '../state/file.ts';
import { StateHealth } from '../state/health.ts';
import { StateLock, type LockOptions } from '../state/lock.ts';
import { cronOptions, retentionFor, type ScheduleConfig } from './config.ts';
import { RunHistory } from './history.ts';
import { DaemonServer } from './http.ts';
import { renderMetrics, renderObservedMetrics, renderWindowMetrics } from './metrics.ts';
import { RunMetrics } from './run-metrics.ts';
import { runFilesRoute } from './run-files.ts';
import { Scheduler, type Runner } from './scheduler.ts';
import { planContinuous, runConfigsOf, startSamplers, type EnvSampler } from './sampling.ts';
import { CadenceRuns } from './cadence-runs.ts';
import { WINDOW_RUN_PREFIX } from '../monitor/report.ts';

export interface Daemon {
  scheduler: Scheduler;
  server: DaemonServer;
  monitor: AlertMonitor;
  history: RunHistory;
  health: StateHealth;
  lock: StateLock;
  /** The continuous samplers, per environment (remote environments with a window; src/monitor/). */
  samplers: Map<string, EnvSampler>;
  url: string | null;
  /** Settles with the reason when the daemon must stop with exit 3 (its state lock was taken over). */
  fatal: Promise<string>;
  stop(): Promise<void>;
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

/** Warnings at start: an environment whose incidents would never page, or a severity routed to nothing configured. */
export function alertChannelWarnings(env: string, c: Readonly<ResolvedConfig>): string[] {
  const a = c.alerting;
  const configured = { slack: Boolean(a.slackWebhookUrl), pagerduty: Boolean(a.pagerduty.routingKey) };
  if (!configured.slack && !configured.pagerduty) {
    return [`WARNING ${env}: no alert channel is configured (set CREDLINK_SLACK_WEBHOOK_URL or CREDLINK_PAGERDUTY_ROUTING_KEY): its incidents are recorded and shown, never paged by this daemon (Alertmanager can page from its /metrics: docs/scale-out.md)`];
  }
  const out: string[] = [];
  for (const [severity, channels] of Object.entries(a.routes)) {
    if (channels.length && !channels.some((ch) => configured[ch])) {
      out.push(`WARNING ${env}: ${severity} routes to ${channels.join('+')}, which is not configured: ${severity} incidents are not paged (CREDLINK_ALERT_ROUTES)`);
    }
  }
  return out;
}

export function defaultRunner(configs: Map<string, Readonly<ResolvedConfig>>, reportsDir: string): Runner {
  return async (env, signal) => {
    // Loaded on the first run: the daemon answers /healthz sooner after a restart.
    const { executeRun } = await import('../run/execute.ts');
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
  lock?: Omit<LockOptions, 'log' | 'onLost'>;
  /**
   * Start the continuous sampler of each remote environment whose `window` is enabled (the
   * `schedule` command does; tests that drive tick() with fake runners and made-up URLs do not).
   */
  sampling?: boolean;
}): Promise<Daemon> {
  const { config, configs, log } = o;
  const leveled = (level: 'info' | 'error', line: string) => log(`${level === 'error' ? 'ERROR ' : ''}${line}`);
  let lost: (reason: string) => void = () => {};
  const fatal = new Promise<string>((resolve) => (lost = resolve));
  const lock = StateLock.acquire(config.stateDir, { ...o.lock, log: leveled, onLost: (reason) => lost(reason) });
  try {
    const stateDir = path.resolve(config.stateDir);
    // Temp files of a process killed in the middle of a save: nobody else writes here (the lock).
    const temps = [...removeStaleTemps(stateDir), ...removeStaleTemps(path.join(stateDir, 'history'))];
    if (temps.length) log(`removed ${temps.length} temp file(s) left by an interrupted save in ${stateDir}`);
    const health = new StateHealth(leveled);
    const monitor = new AlertMonitor({
      store: new AlertStore(stateDir, health),
      configFor: (env) => {
        const c = configs.get(env);
        if (!c) throw new Error(`no configuration for environment ${env} (queued alert of an environment no longer scheduled)`);
        return c;
      },
      retry: { attempts: config.alertDelivery.attempts, baseDelayMs: config.alertDelivery.backoffMs, maxDelayMs: Math.max(10_000, config.alertDelivery.backoffMs), timeoutMs: config.alertDelivery.timeoutMs },
      log: leveled,
      // A window evaluation has no report folder: its alert carries the evidence itself.
      reportLink: (env, runId) => (runId.startsWith(WINDOW_RUN_PREFIX) ? null : path.join(config.reportsDir, env, runId, 'index.html')),
      guard: () => lock.verify(),
    });
    for (const [env, c] of configs) for (const w of alertChannelWarnings(env, c)) log(w);
    // The continuous monitor's plan first: a plan that cannot fit refuses the start (exit 2) before anything runs.
    const plans = o.sampling ? planContinuous({ config, configs, log }) : [];
    const runConfigs = runConfigsOf(configs, plans, stateDir);
    const history = new RunHistory(stateDir, config.historySize, health, leveled);
    const runMetrics = new RunMetrics();
    const scheduler = new Scheduler({
      config,
      runner: runMetrics.instrument(o.runner ?? defaultRunner(runConfigs, config.reportsDir)),
      monitor,
      history,
      log,
      retention: { reportsDir: config.reportsDir, policyFor: (env) => retentionFor(config, env) },
    });
    const samplers = startSamplers({ config, plans, monitor, health, log });
    const cadence = new CadenceRuns({ plans, scheduler, monitor, log });
    const server = routes(new DaemonServer(), { config, configs, scheduler, monitor, history, health, lock, runMetrics, samplers, cadence });
    let url: string | null;
    try {
      url = o.listen === false ? null : await server.listen(config.listen.host, config.listen.port);
    } catch (e) {
      await Promise.all([...samplers.values()].map((s) => s.sampler.stop()));
      throw e;
    }
    health.start();
    scheduler.start();
    for (const s of samplers.values()) s.sampler.start();
    cadence.start();
    return {
      scheduler,
      server,
      monitor,
      history,
      health,
      lock,
      samplers,
      url,
      fatal,
      async stop() {
        cadence.stop();
        await Promise.all([...samplers.values()].map((s) => s.sampler.stop()));
        await scheduler.stop();
        await server.close();
        await monitor.idle();
        health.retry();
        health.stop();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function routes(
  server: DaemonServer,
  d: { config: ScheduleConfig; configs: Map<string, Readonly<ResolvedConfig>>; scheduler: Scheduler; monitor: AlertMonitor; history: RunHistory; health: StateHealth; lock: StateLock; runMetrics: RunMetrics; samplers: Map<string, EnvSampler>; cadence: CadenceRuns },
): DaemonServer {
  const { config, configs, scheduler, monitor, history, health, lock, runMetrics, samplers, cadence } = d;
  const location = config.location ?? DEFAULT_LOCATION;
  const started = Date.now() / 1000 - process.uptime();
  const envNames = config.environments.map((e) => e.env);
  const runbook = runbookOf(configs);
  const reports = new ReportsSource(config.reportsDir, 300);
  const staleAfterMs = 3 * maxIntervalMs(config);
  // One state for the status page, /metrics' incident gauges and the living runbook.
  // Between runs the window pages within seconds: what it has open shows too (src/report/status-window.ts).
  const status = () => {
    const s = statusFromReportsDir(reports, { envs: envNames, refreshSeconds: 30, staleAfterMs });
    const alerts = Object.values(monitor.incidents());
    return { ...s, environments: s.environments.map((e) => withWindowIncidents(e, alerts, samplers.get(e.env)?.report() ?? null)) };
  };
  const links: RunbookLinks = { url: runbook.url, living: runbook.path ? '/runbook' : undefined };
  const runHref = (env: string, runId: string) => `/runs/${encodeURIComponent(env)}/${encodeURIComponent(runId)}/`;
  server
    .route('/metrics', 'Prometheus metrics per environment, check, incident and probed endpoint, each with this daemon\'s location', () => {
      const cpu = process.cpuUsage();
      const observed = status().environments.map((e) => ({ env: e.env, openIncidents: e.openIncidents, latest: latestEvidence(reports.runs(e.env)) }));
      return {
        status: 200,
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        body:
          renderMetrics({
            location,
            version: version(),
            checks: Object.values(monitor.checks()),
            incidents: Object.values(monitor.incidents()),
            envs: scheduler.statuses(),
            outbox: monitor.outbox(),
            state: { problems: health.problems(), errorsTotal: health.errorsTotal },
            runs: (env) => runMetrics.get(env),
            process: { cpuSeconds: (cpu.user + cpu.system) / 1e6, residentBytes: process.memoryUsage.rss(), startTimeSeconds: Math.round(started) },
          }) +
          renderObservedMetrics(observed, { location, runbookUrl: runbook.url, alerting: Object.values(monitor.incidents()), names: (env) => (configs.has(env) ? namesOf(configs.get(env)!) : unknownNames(env)) }) +
          renderWindowMetrics([...samplers.values()].map((s) => s.snapshot()), envNames.map((env) => ({ env, checks: cadence.snapshot(env) })), location),
      };
    })
    .route('/healthz', 'daemon health: 503 while a state file cannot be saved (with the reason) or while shutting down', () => {
      const stopping = scheduler.isStopping();
      const problems = health.problems();
      const outbox = monitor.outbox();
      const state = stopping ? 'stopping' : problems.length ? 'unhealthy' : 'ok';
      return {
        status: state === 'ok' ? 200 : 503,
        contentType: 'application/json',
        body: JSON.stringify({
          status: state,
          reasons: problems.map((p) => `state not saved since ${p.since}: ${p.file}: ${p.error} (${p.failures} failed attempt(s); running on in-memory state, retried every ${Math.round(health.retryMs / 1000)} s)`),
          lock: { pid: lock.holder.pid, host: lock.holder.host, since: lock.holder.since },
          environments: scheduler.statuses(),
          windows: Object.fromEntries([...samplers].map(([env, s]) => [env, s.snapshot()])),
          alerts: { pending: outbox.length, inFlight: outbox.filter((i) => i.state === 'sending').length, configErrors: outbox.filter((i) => i.configError).length },
        }, null, 2),
      };
    })
    .route('/livez', 'liveness: 200 while the process serves (for a liveness probe: restarting does not cure a full disk)', () => ({
      status: 200,
      contentType: 'text/plain',
      body: 'alive\n',
    }))
    .route('/window', 'the continuous sampler\'s window of one environment (size, age and judgement per endpoint) and each check\'s cadence, last result and staleness: /window?env=NAME', (url) => {
      const env = url.searchParams.get('env') ?? '';
      const s = samplers.get(env);
      if (!configs.has(env)) return { status: 404, contentType: 'application/json', body: JSON.stringify({ error: `unknown environment "${env}"`, environments: [...configs.keys()] }) };
      return { status: 200, contentType: 'application/json', body: JSON.stringify({ window: s?.snapshot() ?? null, checks: cadence.snapshot(env) }, null, 2) };
    })
    .route('/history', 'bounded run history of one environment: /history?env=NAME', (url) => {
      const env = url.searchParams.get('env') ?? '';
      if (!configs.has(env)) return { status: 404, contentType: 'application/json', body: JSON.stringify({ error: `unknown environment "${env}"`, environments: [...configs.keys()] }) };
      return { status: 200, contentType: 'application/json', body: JSON.stringify(history.list(env)) };
    })
    .mount(
      '/, /status, /status.json',
      'status page: the worst state first, per environment its open incidents (section, since when, first steps, report link); refreshes itself',
      statusPageRoute(status, {
        root: true,
        page: {
          links,
          runHref,
          location,
          window: (env) => {
            const w = samplers.get(env)?.snapshot();
            return w ? { seconds: w.windowSeconds, label: w.judgement?.label ?? null, endpoints: w.endpoints } : null;
          },
        },
      }),
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
  return server;
}

/** The longest gap between two scheduled runs of any environment: beyond 3x that, a state is stale. */
function maxIntervalMs(config: ScheduleConfig): number {
  let max = 60_000;
  for (const e of config.environments) {
    if (e.intervalSeconds) max = Math.max(max, e.intervalSeconds * 1000);
    else if (e.cron) {
      const job = new Cron(e.cron, { ...cronOptions(e), paused: true });
      const [a, b] = job.nextRuns(2);
      job.stop();
      if (a && b) max = Math.max(max, b.getTime() - a.getTime());
    }
  }
  return max;
}

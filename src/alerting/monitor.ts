/**
 * The alerting core of `schedule`, with no timers of its own (the clock is injected):
 * observe(env, report) turns one run into per-check state transitions (decide.ts) and queues
 * the deliveries they call for; flush() sends the queue in order. The state and the queue are
 * persisted after every change, so a delivery that fails is retried on the next flush (the next
 * run) and never lost, and a restart neither pages twice nor forgets an open incident.
 * Deliveries of one (check, environment, channel) keep their order: a resolve never overtakes
 * its trigger.
 */
import crypto from 'node:crypto';
import type { AlertChannel } from '../../config/alert-routes.ts';
import { secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { severityRank, type Severity } from '../../runbooks/severity.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { Scrubber } from '../secrets/scrub.ts';
import { decide, INITIAL_STATE, type AlertAction, type AlertState, type Observation } from './decide.ts';
import { DEFAULT_RETRY, post, realSleep, type DeliveryResult, type RetryPolicy, type Sleep } from './deliver.ts';
import { contentOf, pagerDutyResolve, pagerDutyTrigger, slackResolve, slackTrigger } from './payloads.ts';
import { AlertStore, incidentKey, type AlertFile, type Incident, type OutboxItem } from './store.ts';

export interface Transition {
  env: string;
  checkId: string;
  action: AlertAction;
  channels: AlertChannel[];
}

export interface FlushResult {
  item: Pick<OutboxItem, 'id' | 'env' | 'checkId' | 'channel' | 'action'>;
  result: DeliveryResult | { ok: false; configError: true; status: null; attempts: 0; error: string };
}

export interface MonitorOptions {
  store: AlertStore;
  /** The configuration of an environment (its alerting part and secrets). */
  configFor: (env: string) => Readonly<ResolvedConfig>;
  clock?: () => Date;
  retry?: RetryPolicy;
  sleep?: Sleep;
  /** Loud problems (configuration errors) and progress; lines carry no secrets. */
  log?: (level: 'info' | 'error', line: string) => void;
}

export class AlertMonitor {
  private data: AlertFile;
  private readonly o: Required<Omit<MonitorOptions, 'store' | 'configFor'>> & Pick<MonitorOptions, 'store' | 'configFor'>;

  constructor(opts: MonitorOptions) {
    this.o = { clock: () => new Date(), retry: DEFAULT_RETRY, sleep: realSleep, log: () => {}, ...opts };
    this.data = opts.store.load();
  }

  incidents(): Readonly<Record<string, Incident>> {
    return this.data.incidents;
  }

  outbox(): readonly OutboxItem[] {
    return this.data.outbox;
  }

  /** One run's outcome -> transitions, queued deliveries, persisted state. */
  observe(env: string, report: RunbookReport): Transition[] {
    const config = this.o.configFor(env);
    const policy = config.alerting;
    const now = this.o.clock().toISOString();
    const observations = new Map<string, { obs: Observation; durationMs: number }>();
    for (const p of [...report.passed, ...report.flaky.map((f) => ({ ...f, durationMs: 0 }))]) {
      observations.set(p.checkId, { obs: { kind: 'pass' }, durationMs: p.durationMs });
    }
    for (const f of report.findings) {
      const prev = observations.get(f.checkId);
      // Several findings of one check: the most severe counts.
      if (prev?.obs.kind === 'fail' && severityRank(prev.obs.severity) <= severityRank(f.severity)) continue;
      observations.set(f.checkId, { obs: { kind: 'fail', severity: f.severity }, durationMs: f.durationMs });
    }
    const transitions: Transition[] = [];
    for (const [checkId, { obs, durationMs }] of observations) {
      const key = incidentKey(env, checkId);
      const inc: Incident = this.data.incidents[key] ?? { env, checkId, ...INITIAL_STATE, channels: [], lastRunAt: null, lastSeverity: null, lastDurationMs: null };
      const state: AlertState = { failures: inc.failures, successes: inc.successes, open: inc.open, severity: inc.severity, openedAt: inc.openedAt };
      const d = decide(state, obs, policy, now);
      let channels = inc.channels;
      if (d.action) {
        channels = d.action.kind === 'resolve' ? inc.channels : this.routeFor(config, d.action.severity, inc.channels);
        const finding = report.findings.find((f) => f.checkId === checkId && obs.kind === 'fail' && f.severity === obs.severity);
        for (const channel of channels) {
          this.data.outbox.push({
            id: crypto.randomUUID(),
            env,
            checkId,
            channel,
            action: d.action.kind,
            payload: this.payloadFor(channel, d.action, env, checkId, finding, report, config, inc.openedAt, now),
            createdAt: now,
            attempts: 0,
            lastError: null,
            configError: false,
          });
        }
        transitions.push({ env, checkId, action: d.action, channels });
        this.o.log('info', `${env}/${checkId}: ${d.action.kind}${'severity' in d.action ? ` ${d.action.severity}` : ''} -> ${channels.join(', ') || 'no channel'}`);
      }
      this.data.incidents[key] = {
        env,
        checkId,
        ...d.state,
        channels: d.state.open ? channels : [],
        lastRunAt: now,
        lastSeverity: obs.kind === 'fail' ? obs.severity : null,
        lastDurationMs: durationMs,
      };
    }
    this.o.store.save(this.data);
    return transitions;
  }

  /** Channels for a trigger: the route of its severity, only those configured; an escalation adds to the open ones. */
  private routeFor(config: Readonly<ResolvedConfig>, severity: Severity, open: AlertChannel[]): AlertChannel[] {
    const a = config.alerting;
    const configured = (c: AlertChannel) => (c === 'slack' ? Boolean(a.slackWebhookUrl) : Boolean(a.pagerduty.routingKey));
    return [...new Set([...open, ...a.routes[severity].filter(configured)])];
  }

  private payloadFor(
    channel: AlertChannel,
    action: AlertAction,
    env: string,
    checkId: string,
    finding: RunbookReport['findings'][number] | undefined,
    report: RunbookReport,
    config: Readonly<ResolvedConfig>,
    openedAt: string | null,
    now: string,
  ): unknown {
    if (action.kind === 'resolve') return channel === 'slack' ? slackResolve(env, checkId, openedAt, now) : pagerDutyResolve(env, checkId);
    if (!finding) throw new Error(`no finding for ${env}/${checkId} to alert on`);
    const content = contentOf(finding, { env, runId: report.runId, baseUrl: report.baseUrl, runbookUrl: config.alerting.runbookUrl });
    return channel === 'slack' ? slackTrigger(content, action.kind === 'escalate') : pagerDutyTrigger(content, now);
  }

  /** Sends the queue in order; what fails stays queued for the next flush. */
  async flush(): Promise<FlushResult[]> {
    const results: FlushResult[] = [];
    const blocked = new Set<string>();
    const remaining: OutboxItem[] = [];
    for (const item of this.data.outbox) {
      const lane = `${item.env}/${item.checkId}/${item.channel}`;
      if (blocked.has(lane)) {
        remaining.push(item);
        continue;
      }
      let config: Readonly<ResolvedConfig>;
      try {
        config = this.o.configFor(item.env);
      } catch (e) {
        // An environment no longer configured: keep its alerts queued, deliver the others.
        this.o.log('error', `cannot deliver the ${item.action} of ${item.env}/${item.checkId}: ${(e as Error).message}`);
        blocked.add(lane);
        remaining.push(item);
        continue;
      }
      const scrub = new Scrubber(secretsOf(config));
      const target = this.targetFor(item, config);
      const result = target.url === null
        ? { ok: false as const, configError: true as const, status: null, attempts: 0 as const, error: target.error }
        : await post(item.channel, target.url, target.body, this.o.retry, this.o.sleep);
      const summary = { id: item.id, env: item.env, checkId: item.checkId, channel: item.channel, action: item.action };
      if (result.ok) {
        results.push({ item: summary, result });
        continue;
      }
      const error = scrub.text(result.error);
      results.push({ item: summary, result: { ...result, error } });
      blocked.add(lane);
      remaining.push({ ...item, attempts: item.attempts + result.attempts, lastError: error, configError: result.configError });
      this.o.log(
        'error',
        result.configError
          ? `CONFIGURATION ERROR: ${item.channel} refused the ${item.action} of ${item.env}/${item.checkId}: ${error}: fix the ${item.channel === 'slack' ? 'webhook URL' : 'routing key'} of ${item.env}; the alert stays queued`
          : `${item.channel} did not accept the ${item.action} of ${item.env}/${item.checkId} after ${result.attempts} attempt(s): ${error}; retried on the next run`,
      );
    }
    this.data.outbox = remaining;
    this.o.store.save(this.data);
    return results;
  }

  private targetFor(item: OutboxItem, config: Readonly<ResolvedConfig>): { url: string; body: unknown } | { url: null; error: string } {
    const a = config.alerting;
    if (item.channel === 'slack') {
      return a.slackWebhookUrl ? { url: a.slackWebhookUrl, body: item.payload } : { url: null, error: 'CREDLINK_SLACK_WEBHOOK_URL is not set' };
    }
    if (!a.pagerduty.routingKey) return { url: null, error: 'CREDLINK_PAGERDUTY_ROUTING_KEY is not set' };
    return { url: a.pagerduty.eventsUrl, body: { routing_key: a.pagerduty.routingKey, ...(item.payload as Record<string, unknown>) } };
  }
}

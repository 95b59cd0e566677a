/**
 * The alerting core of `schedule`, with no timers of its own (the clock is injected):
 * observe(env, report) turns one run into per-incident state transitions (observe.ts, decide.ts)
 * and queues the deliveries they call for; flush() sends the queue.
 *
 * The delivery journal (the outbox in alerts.json, src/alerting/store.ts):
 * - observe() saves the new states and the queued items in one atomic write before anything is sent;
 * - each request is preceded by a save of its item as `sending` with its attempt count, and followed
 *   by a save of the outcome (removed and recorded as delivered, or `failed`); so after a kill -9 at
 *   any instant, only the one item in flight can be sent again;
 * - flushes are serialized (one pass at a time; a flush asked for during a pass runs once after it),
 *   and a pass works on the live queue, so an item queued while a pass runs is sent, never dropped;
 * - order per lane (incident, channel): a failed item holds back the later items of its lane, so a
 *   resolve never overtakes its trigger, also across restarts.
 * One trigger (plus an escalation when the severity rises) and one resolve per incident per channel.
 */
import crypto from 'node:crypto';
import type { AlertChannel } from '../../config/alert-routes.ts';
import { secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { HEALTH_ENDPOINTS } from '../../runbooks/dependencies.ts';
import type { Severity } from '../../runbooks/severity.ts';
import type { Incident, RunbookReport } from '../reporter/schema.ts';
import { Scrubber } from '../secrets/scrub.ts';
import { decide, INITIAL_STATE, type AlertAction, type AlertState } from './decide.ts';
import { DEFAULT_RETRY, post, realSleep, type DeliveryResult, type RetryPolicy, type Sleep } from './deliver.ts';
import { alertInput, executedChecks, incidentObservations } from './observe.ts';
import { contentOf, dedupKey, pagerDutyResolve, pagerDutyTrigger, slackResolve, slackTrigger } from './payloads.ts';
import { AlertStore, checkKey, DELIVERED_KEPT, type AlertFile, type CheckState, type IncidentState, type OutboxItem } from './store.ts';

export interface Transition {
  env: string;
  incidentId: string;
  action: AlertAction;
  channels: AlertChannel[];
}

/** What observe() made of a run: transitions, or why the run was no alert input. */
export interface Observed {
  transitions: Transition[];
  /** Set when the run was not used (a drill, interrupted, no evidence). */
  ignored?: string;
}

export interface FlushResult {
  item: Pick<OutboxItem, 'id' | 'env' | 'incidentId' | 'channel' | 'action'>;
  result: DeliveryResult | { ok: false; configError: true; status: null; attempts: 0; error: string };
}

export interface MonitorOptions {
  store: AlertStore;
  /** The configuration of an environment (its alerting part and secrets). */
  configFor: (env: string) => Readonly<ResolvedConfig>;
  clock?: () => Date;
  retry?: RetryPolicy;
  sleep?: Sleep;
  /** Loud problems (configuration errors, no evidence) and progress; lines carry no secrets. */
  log?: (level: 'info' | 'error', line: string) => void;
  /** Where a run's report is, for the alert (a path or URL); null: not linked. */
  reportLink?: (env: string, runId: string) => string | null;
  /** Called before every request; throws when this process may no longer deliver (its state lock was lost). */
  guard?: () => void;
}

const lane = (i: Pick<OutboxItem, 'incidentId' | 'channel'>) => `${i.incidentId} ${i.channel}`;

export class AlertMonitor {
  private data: AlertFile;
  private readonly o: Required<Omit<MonitorOptions, 'store' | 'configFor'>> & Pick<MonitorOptions, 'store' | 'configFor'>;
  /** Items that were `sending` when the previous process died: their receiver may already have them. */
  private readonly inFlightAtStart = new Set<string>();
  private current: Promise<FlushResult[]> | null = null;
  private next: Promise<FlushResult[]> | null = null;

  constructor(opts: MonitorOptions) {
    this.o = { clock: () => new Date(), retry: DEFAULT_RETRY, sleep: realSleep, log: () => {}, reportLink: () => null, guard: () => {}, ...opts };
    this.data = opts.store.load();
    if (opts.store.upgradedFrom === 1) {
      const open = Object.values(this.data.incidents).filter((i) => i.open).length;
      this.o.log('info', `${opts.store.file}: alert state of version 1 (per check) upgraded to version 2 (per incident); ${open} open incident(s) keep their PagerDuty dedup key; the old file is kept as alerts.v1.json`);
      this.o.store.save(this.data);
    }
    for (const item of this.data.outbox) {
      if (item.state !== 'sending') continue;
      this.inFlightAtStart.add(item.id);
      this.o.log('info', `the ${item.action} of ${item.incidentId} to ${item.channel} was in flight when the daemon stopped: sending it again (the receiver may get it twice)`);
    }
  }

  incidents(): Readonly<Record<string, IncidentState>> {
    return this.data.incidents;
  }

  checks(): Readonly<Record<string, CheckState>> {
    return this.data.checks;
  }

  outbox(): readonly OutboxItem[] {
    return this.data.outbox;
  }

  delivered(): AlertFile['delivered'] {
    return this.data.delivered;
  }

  /** Run ids whose reports open incidents and queued alerts link to (report retention keeps them). */
  linkedRuns(env: string): Set<string> {
    const open = Object.values(this.data.incidents).filter((i) => i.env === env && i.open && i.reportRunId).map((i) => i.reportRunId!);
    const queued = this.data.outbox.filter((i) => i.env === env && i.runId).map((i) => i.runId!);
    return new Set([...open, ...queued]);
  }

  /**
   * One run's outcome -> transitions, queued deliveries, persisted state.
   * `partial`: the run executed a part of the suite chosen by time, not by the user (a window
   * evaluation, a due-check run: src/monitor/): a known incident absent from it counts as passed
   * only when its root check ran (for the outage: or the health endpoints), never because one of
   * its consequences happened to run.
   */
  observe(env: string, report: RunbookReport, o: { partial?: boolean } = {}): Observed {
    const input = alertInput(report);
    if (!input.use) {
      this.o.log(input.level, `${env}: ${input.reason}`);
      return { transitions: [], ignored: input.reason };
    }
    const config = this.o.configFor(env);
    const now = this.o.clock().toISOString();
    this.recordChecks(env, report, now);
    const known = new Map(Object.values(this.data.incidents).filter((i) => i.env === env).map((i) => [i.id, o.partial ? partialWitnesses(i) : i.checks]));
    const transitions: Transition[] = [];
    for (const o of incidentObservations(report, known)) {
      const prev = this.data.incidents[o.id] ?? (o.incident ? this.fresh(env, o.incident) : undefined);
      if (!prev) continue;
      const d = decide(stateOf(prev), o.obs, config.alerting, now);
      let channels = prev.channels;
      let reportRunId = prev.reportRunId;
      if (d.action) {
        channels = d.action.kind === 'resolve' ? prev.channels : this.routeFor(config, d.action.severity, prev.channels);
        if (d.action.kind !== 'resolve') reportRunId = report.runId;
        for (const channel of channels) {
          this.data.outbox.push({
            id: crypto.randomUUID(),
            env,
            incidentId: o.id,
            channel,
            action: d.action.kind,
            payload: this.payloadFor(channel, d.action, prev, o.incident, report, config, now),
            runId: d.action.kind === 'resolve' ? null : report.runId,
            createdAt: now,
            state: 'queued',
            attempts: 0,
            lastError: null,
            configError: false,
          });
        }
        transitions.push({ env, incidentId: o.id, action: d.action, channels });
        this.o.log('info', `${o.id}: ${d.action.kind}${'severity' in d.action ? ` ${d.action.severity}` : ''} -> ${channels.join(', ') || 'no channel'}`);
      }
      const next: IncidentState = {
        ...prev,
        ...d.state,
        channels: d.state.open ? channels : [],
        reportRunId: d.state.open ? reportRunId : null,
        ...(o.incident
          ? {
              title: o.incident.title,
              section: o.incident.section,
              rootCheckId: o.incident.root.checkId,
              checks: [...new Set([o.incident.root.checkId, ...o.incident.consequences])],
              lastSeenAt: now,
              lastSeverity: o.incident.severity,
            }
          : { lastSeverity: null }),
      };
      // A closed incident with no failure streak carries nothing worth keeping.
      if (!next.open && next.failures === 0) delete this.data.incidents[o.id];
      else this.data.incidents[o.id] = next;
    }
    this.o.store.save(this.data);
    return { transitions };
  }

  private fresh(env: string, incident: Incident): IncidentState {
    return {
      id: incident.id,
      env,
      key: incident.key,
      dedupKey: dedupKey(incident.id),
      ...INITIAL_STATE,
      channels: [],
      title: incident.title,
      section: incident.section,
      rootCheckId: incident.root.checkId,
      checks: [incident.root.checkId, ...incident.consequences],
      lastSeenAt: null,
      lastSeverity: null,
      reportRunId: null,
    };
  }

  /** Per check: the last observation, for /metrics. */
  private recordChecks(env: string, report: RunbookReport, now: string): void {
    for (const [checkId, seen] of executedChecks(report)) {
      const key = checkKey(env, checkId);
      const prev = this.data.checks[key];
      this.data.checks[key] = {
        env,
        checkId,
        failures: seen.severity ? (prev?.failures ?? 0) + 1 : 0,
        lastRunAt: now,
        lastSeverity: seen.severity,
        lastDurationMs: seen.durationMs,
      };
    }
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
    state: IncidentState,
    incident: Incident | undefined,
    report: RunbookReport,
    config: Readonly<ResolvedConfig>,
    now: string,
  ): unknown {
    if (action.kind === 'resolve') {
      return channel === 'slack'
        ? slackResolve({ env: state.env, location: report.location, incidentId: state.id, title: state.title, section: state.section, openedAt: state.openedAt }, now)
        : pagerDutyResolve(state.dedupKey);
    }
    if (!incident) throw new Error(`no incident ${state.id} in run ${report.runId} to alert on`);
    const content = contentOf(incident, report, { dedupKey: state.dedupKey, runbookUrl: config.alerting.runbookUrl, report: this.o.reportLink(state.env, report.runId) });
    return channel === 'slack' ? slackTrigger(content, action.kind === 'escalate') : pagerDutyTrigger(content, now);
  }

  /**
   * Sends what is queued, in order per lane; what fails stays queued for the next flush.
   * Serialized: while a pass runs, further calls share one pass that starts after it.
   */
  flush(): Promise<FlushResult[]> {
    if (this.next) return this.next;
    if (this.current) {
      const after = this.current.catch(() => []).then(() => {
        this.next = null;
        return this.startPass();
      });
      this.next = after;
      return after;
    }
    return this.startPass();
  }

  /** Resolves once no flush is running or waiting. */
  async idle(): Promise<void> {
    while (this.current || this.next) await (this.next ?? this.current)!.catch(() => []);
  }

  private startPass(): Promise<FlushResult[]> {
    const p: Promise<FlushResult[]> = this.pass().finally(() => {
      if (this.current === p) this.current = null;
    });
    this.current = p;
    return p;
  }

  private async pass(): Promise<FlushResult[]> {
    this.o.guard();
    const results: FlushResult[] = [];
    const blocked = new Set<string>();
    const tried = new Set<string>();
    for (;;) {
      // The live queue: items added by observe() during this pass are picked up too.
      const item = this.data.outbox.find((i) => !tried.has(i.id) && !blocked.has(lane(i)));
      if (!item) break;
      tried.add(item.id);
      const r = await this.send(item);
      if (r) results.push(r);
      if (!r || !r.result.ok) blocked.add(lane(item));
    }
    return results;
  }

  /** One item: write-ahead, request, outcome. Null when it could not even be tried (kept queued). */
  private async send(item: OutboxItem): Promise<FlushResult | null> {
    this.o.guard();
    let config: Readonly<ResolvedConfig>;
    try {
      config = this.o.configFor(item.env);
    } catch (e) {
      // An environment no longer configured: keep its alerts queued, deliver the others.
      this.o.log('error', `cannot deliver the ${item.action} of ${item.incidentId}: ${(e as Error).message}`);
      return null;
    }
    const scrub = new Scrubber(secretsOf(config));
    const summary = { id: item.id, env: item.env, incidentId: item.incidentId, channel: item.channel, action: item.action };
    const target = this.targetFor(item, config);
    const result: FlushResult['result'] = target.url === null
      ? { ok: false, configError: true, status: null, attempts: 0, error: target.error }
      : await post(item.channel, target.url, target.body, this.o.retry, this.o.sleep, () => {
          this.o.guard();
          item.state = 'sending';
          item.attempts += 1;
          this.o.store.save(this.data);
        });
    const now = this.o.clock().toISOString();
    if (result.ok) {
      this.data.outbox = this.data.outbox.filter((i) => i.id !== item.id);
      this.data.delivered = [
        ...this.data.delivered,
        { id: item.id, incidentId: item.incidentId, channel: item.channel, action: item.action, createdAt: item.createdAt, deliveredAt: now, attempts: item.attempts, mayBeDuplicate: this.inFlightAtStart.has(item.id) },
      ].slice(-DELIVERED_KEPT);
      this.inFlightAtStart.delete(item.id);
      this.o.store.save(this.data);
      return { item: summary, result };
    }
    const error = scrub.text(result.error);
    item.state = 'failed';
    item.lastError = error;
    item.configError = result.configError;
    this.o.store.save(this.data);
    this.o.log(
      'error',
      result.configError
        ? `CONFIGURATION ERROR: ${item.channel} refused the ${item.action} of ${item.incidentId}: ${error}: fix the ${item.channel === 'slack' ? 'webhook URL' : 'routing key'} of ${item.env}; the alert stays queued`
        : `${item.channel} did not accept the ${item.action} of ${item.incidentId} after ${result.attempts} attempt(s): ${error}; retried on the next run`,
    );
    return { item: summary, result: { ...result, error } };
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

function stateOf(i: IncidentState): AlertState {
  return { failures: i.failures, successes: i.successes, open: i.open, severity: i.severity, openedAt: i.openedAt };
}

/**
 * The checks whose run in a partial observation says whether an incident is still there: its root
 * check; for the outage also the health endpoints, which judge whether the service answers at all.
 * A due-check run that got no answer opens the outage rooted in one of its own checks (rule
 * target-unreachable), which may run again only in an hour: the window, which samples the health
 * endpoints every round, resolves it once they answer (seen in the bench: a 0.7 s refusal caught
 * by a due-check run stayed a SEV-0 page for 5 minutes and more).
 */
function partialWitnesses(i: IncidentState): string[] {
  return i.key === 'outage' ? [...new Set([i.rootCheckId, ...HEALTH_ENDPOINTS])] : [i.rootCheckId];
}

/**
 * The persisted alert state, `<stateDir>/alerts.json` (version 2):
 * - `incidents`: per incident id (`<env>/<key>`, runbook.json `incidents[].id`) its alert state
 *   machine (decide.ts), the channels its open incident went to, and what a resolve needs to say;
 * - `checks`: per (environment, check) the last observation, for /metrics;
 * - `outbox`: the delivery journal. Each item is `queued`, then `sending` (saved with its attempt
 *   count *before* the request leaves), then removed and appended to `delivered` once the receiver
 *   accepted it, or `failed` (kept, retried) when it did not. An item found `sending` at start was
 *   in flight when the process died: it is sent again (the one possible duplicate).
 * Written atomically (src/state/file.ts); a save that fails does not stop the daemon (src/state/health.ts).
 *
 * Version 1 (one state per check, before incidents) is upgraded when loaded; docs/monitoring.md says how.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from '../zod.ts';
import { ALERT_CHANNELS } from '../../config/alert-routes.ts';
import { catalog, isCheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { EnvironmentError } from '../errors.ts';
import { writeTextAtomic } from '../state/file.ts';
import { StateHealth } from '../state/health.ts';
import { legacyDedupKey } from './payloads.ts';

const severity = z.enum(SEVERITIES);
const channel = z.enum(ALERT_CHANNELS);
const action = z.enum(['trigger', 'escalate', 'resolve']);

export const incidentStateSchema = z.object({
  /** The incident id of runbook.json: `<env>/<key>`. */
  id: z.string(),
  env: z.string(),
  key: z.string(),
  /** PagerDuty dedup_key: derived from the id (src/alerting/payloads.ts), or kept from a version-1 state. */
  dedupKey: z.string(),
  failures: z.number(),
  successes: z.number(),
  open: z.boolean(),
  /** Severity the open incident was last triggered (or escalated) with. */
  severity: severity.nullable(),
  openedAt: z.string().nullable(),
  /** Channels the open incident was delivered to (its resolve goes to the same ones). */
  channels: z.array(channel),
  title: z.string(),
  section: z.object({ title: z.string(), anchor: z.string() }),
  rootCheckId: z.string(),
  /** Root and consequence checks when last seen: a run that executed none of them says nothing about it. */
  checks: z.array(z.string()),
  lastSeenAt: z.string().nullable(),
  lastSeverity: severity.nullable(),
  /** The run whose report the open incident's page links to (report retention keeps its folder). */
  reportRunId: z.string().nullable(),
});

export const checkStateSchema = z.object({
  env: z.string(),
  checkId: z.string(),
  /** Consecutive runs in which the check failed. */
  failures: z.number(),
  lastRunAt: z.string().nullable(),
  /** Last observed finding severity (null when passing). */
  lastSeverity: severity.nullable(),
  lastDurationMs: z.number().nullable(),
});

export const outboxItemSchema = z.object({
  id: z.string(),
  env: z.string(),
  incidentId: z.string(),
  channel,
  action,
  /** The request body without secrets (the routing key is added at send time). */
  payload: z.unknown(),
  /** The run whose report a trigger links to (report retention keeps its folder while the item waits); null for a resolve. */
  runId: z.string().nullable().default(null),
  createdAt: z.string(),
  /** queued: not tried yet; sending: a request is (or was, at a crash) on its way; failed: the last try was not accepted. */
  state: z.enum(['queued', 'sending', 'failed']),
  /** Requests made so far (each retry counts). */
  attempts: z.number(),
  lastError: z.string().nullable(),
  /** The receiver refused it with a 4xx: a configuration problem, reported on every try. */
  configError: z.boolean(),
});

export const deliveredSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  channel,
  action,
  createdAt: z.string(),
  deliveredAt: z.string(),
  attempts: z.number(),
  /** It was in flight when an earlier process died, so the receiver may have it twice. */
  mayBeDuplicate: z.boolean(),
});

export const alertFileSchema = z.object({
  version: z.literal(2),
  incidents: z.record(z.string(), incidentStateSchema),
  checks: z.record(z.string(), checkStateSchema),
  outbox: z.array(outboxItemSchema),
  /** The last DELIVERED_KEPT deliveries, newest last (what was sent, for an operator). */
  delivered: z.array(deliveredSchema),
});

export type IncidentState = z.infer<typeof incidentStateSchema>;
export type CheckState = z.infer<typeof checkStateSchema>;
export type OutboxItem = z.infer<typeof outboxItemSchema>;
export type Delivered = z.infer<typeof deliveredSchema>;
export type AlertFile = z.infer<typeof alertFileSchema>;

export const DELIVERED_KEPT = 100;

export const emptyAlertFile = (): AlertFile => ({ version: 2, incidents: {}, checks: {}, outbox: [], delivered: [] });

export function checkKey(env: string, checkId: string): string {
  return `${env}/${checkId}`;
}

// --- version 1: one state per (environment, check) ---

const v1IncidentSchema = z.object({
  env: z.string(),
  checkId: z.string(),
  failures: z.number(),
  successes: z.number(),
  open: z.boolean(),
  severity: severity.nullable(),
  openedAt: z.string().nullable(),
  channels: z.array(channel),
  lastRunAt: z.string().nullable(),
  lastSeverity: severity.nullable(),
  lastDurationMs: z.number().nullable(),
});

const v1FileSchema = z.object({
  version: z.literal(1),
  incidents: z.record(z.string(), v1IncidentSchema),
  outbox: z.array(
    z.object({
      id: z.string(),
      env: z.string(),
      checkId: z.string(),
      channel,
      action,
      payload: z.unknown(),
      createdAt: z.string(),
      attempts: z.number(),
      lastError: z.string().nullable(),
      configError: z.boolean(),
    }),
  ),
});

/**
 * Version 1 -> 2. A check's state becomes the state of the incident `<env>/check:<checkId>`, the id
 * a check standing alone gets (src/incidents/build.ts), keeping its counters, channels and its old
 * PagerDuty dedup key, so an incident opened before the upgrade is resolved on the same PagerDuty
 * incident. Queued deliveries keep their order and bodies. Per-check observations move to `checks`.
 */
export function upgradeV1(v1: z.infer<typeof v1FileSchema>): AlertFile {
  const out = emptyAlertFile();
  for (const s of Object.values(v1.incidents)) {
    out.checks[checkKey(s.env, s.checkId)] = {
      env: s.env,
      checkId: s.checkId,
      failures: s.failures,
      lastRunAt: s.lastRunAt,
      lastSeverity: s.lastSeverity,
      lastDurationMs: s.lastDurationMs,
    };
    if (!s.open && s.failures === 0) continue;
    const id = `${s.env}/check:${s.checkId}`;
    const entry = isCheckId(s.checkId) ? catalog[s.checkId] : undefined;
    const section = entry ? sections[entry.section] : undefined;
    out.incidents[id] = {
      id,
      env: s.env,
      key: `check:${s.checkId}`,
      dedupKey: legacyDedupKey(s.env, s.checkId),
      failures: s.failures,
      successes: s.successes,
      open: s.open,
      severity: s.severity,
      openedAt: s.openedAt,
      channels: s.channels,
      title: entry?.title ?? s.checkId,
      section: section ? { title: section.title, anchor: section.anchor } : { title: 'unknown section', anchor: '' },
      rootCheckId: s.checkId,
      checks: [s.checkId],
      lastSeenAt: s.lastSeverity ? s.lastRunAt : null,
      lastSeverity: s.lastSeverity,
      reportRunId: null,
    };
  }
  out.outbox = v1.outbox.map((i) => ({
    id: i.id,
    env: i.env,
    incidentId: `${i.env}/check:${i.checkId}`,
    channel: i.channel,
    action: i.action,
    payload: i.payload,
    runId: null,
    createdAt: i.createdAt,
    state: i.attempts > 0 ? 'failed' : 'queued',
    attempts: i.attempts,
    lastError: i.lastError,
    configError: i.configError,
  }));
  return out;
}

export class AlertStore {
  readonly file: string;
  /** Set by load() when the file was version 1 (upgraded; the original is kept as alerts.v1.json). */
  upgradedFrom: 1 | null = null;

  constructor(
    stateDir: string,
    private readonly health: StateHealth = new StateHealth(),
  ) {
    this.file = path.join(path.resolve(stateDir), 'alerts.json');
  }

  /** The saved state; a damaged file is an EnvironmentError (exit 3): the daemon must not forget open incidents silently. */
  load(): AlertFile {
    if (!fs.existsSync(this.file)) return emptyAlertFile();
    const fix = `move it aside to start with no open incidents (their resolves are then never sent)`;
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new EnvironmentError(`${this.file}: not valid JSON (${(e as Error).message.split('\n')[0]}): ${fix}`);
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (version === 1) {
      const v1 = v1FileSchema.safeParse(raw);
      if (!v1.success) throw new EnvironmentError(`${this.file}: not an alert state file of version 1 (${v1.error.issues[0]?.message}): ${fix}`);
      const backup = path.join(path.dirname(this.file), 'alerts.v1.json');
      if (!fs.existsSync(backup)) fs.copyFileSync(this.file, backup);
      this.upgradedFrom = 1;
      return upgradeV1(v1.data);
    }
    if (typeof version === 'number' && version > 2) {
      throw new EnvironmentError(`${this.file}: alert state version ${version} was written by a newer credlink-checks: upgrade this one, or ${fix}`);
    }
    const parsed = alertFileSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new EnvironmentError(`${this.file}: not an alert state file (${i?.path.join('.') || '(root)'}: ${i?.message}): ${fix}`);
    }
    return parsed.data;
  }

  /** Saves atomically; false when the disk refused (the content is retried by StateHealth). */
  save(data: AlertFile): boolean {
    const text = JSON.stringify(data, null, 2) + '\n';
    return this.health.save(this.file, () => writeTextAtomic(this.file, text));
  }
}

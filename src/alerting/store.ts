/**
 * The persisted alert state: per (environment, check) its AlertState and the channels its open
 * incident went to, plus the outbox of deliveries not yet accepted by their receiver.
 * Written atomically (temp file in the same folder, fsync, rename), so a crash leaves the old
 * or the new file, never half of one; a restarted daemon neither pages again nor forgets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ALERT_CHANNELS } from '../../config/alert-routes.ts';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { EnvironmentError } from '../errors.ts';

const severity = z.enum(SEVERITIES);
const channel = z.enum(ALERT_CHANNELS);

export const incidentSchema = z.object({
  env: z.string(),
  checkId: z.string(),
  failures: z.number(),
  successes: z.number(),
  open: z.boolean(),
  severity: severity.nullable(),
  openedAt: z.string().nullable(),
  /** Channels the open incident was delivered to (its resolve goes to the same ones). */
  channels: z.array(channel),
  /** Last run that observed this check. */
  lastRunAt: z.string().nullable(),
  /** Last observed finding severity (null when passing). */
  lastSeverity: severity.nullable(),
  lastDurationMs: z.number().nullable(),
});

export const outboxItemSchema = z.object({
  id: z.string(),
  env: z.string(),
  checkId: z.string(),
  channel,
  action: z.enum(['trigger', 'escalate', 'resolve']),
  /** The request body without secrets (the routing key is added at send time). */
  payload: z.unknown(),
  createdAt: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  /** The receiver refused it with a 4xx: a configuration problem, reported on every try. */
  configError: z.boolean(),
});

export const alertFileSchema = z.object({
  version: z.literal(1),
  incidents: z.record(z.string(), incidentSchema),
  outbox: z.array(outboxItemSchema),
});

export type Incident = z.infer<typeof incidentSchema>;
export type OutboxItem = z.infer<typeof outboxItemSchema>;
export type AlertFile = z.infer<typeof alertFileSchema>;

export const emptyAlertFile = (): AlertFile => ({ version: 1, incidents: {}, outbox: [] });

export function incidentKey(env: string, checkId: string): string {
  return `${env}/${checkId}`;
}

/** Writes `data` to `file` atomically (same-folder temp file, fsync, rename). */
export function writeJsonAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(data, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export class AlertStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(path.resolve(stateDir), 'alerts.json');
  }

  load(): AlertFile {
    if (!fs.existsSync(this.file)) return emptyAlertFile();
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new EnvironmentError(`${this.file}: not valid JSON (${(e as Error).message}): move it aside to start with no open incidents`);
    }
    const parsed = alertFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new EnvironmentError(`${this.file}: not an alert state file (${parsed.error.issues[0]?.message}): move it aside to start with no open incidents`);
    }
    return parsed.data;
  }

  save(data: AlertFile): void {
    writeJsonAtomic(this.file, data);
  }
}

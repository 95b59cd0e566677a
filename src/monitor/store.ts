/**
 * The windows of one environment in the state directory: `<stateDir>/monitor/<env>.json`,
 * written atomically (src/state/file.ts) through the daemon's StateHealth (a failed save is
 * retried and shown on /healthz), bounded (each window is pruned before it is written). A
 * restart reads them back, so the window survives it; samples older than the window are
 * dropped on load. A damaged file is moved aside and the window starts empty, saying so.
 * One-shot commands read the same file (readWindowFile) to reuse a fresh window.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from '../zod.ts';
import { moveAside, writeJsonAtomic } from '../state/file.ts';
import type { StateHealth } from '../state/health.ts';
import { prune, type EndpointWindow } from './window.ts';

const sampleSchema = z.object({
  t: z.number(),
  ms: z.number(),
  status: z.number().nullable(),
  error: z.string().optional(),
  confirmed: z.boolean().optional(),
  outage: z.boolean().optional(),
});

export const windowFileSchema = z.object({
  version: z.literal(1),
  env: z.string(),
  /** The base URL sampled: a window of another target is not this one's. */
  baseUrl: z.string(),
  windowMs: z.number(),
  intervalMs: z.number(),
  savedAt: z.number(),
  windows: z.array(z.object({ name: z.string(), location: z.string(), checkId: z.string().nullable(), samples: z.array(sampleSchema) })),
});
export type WindowFile = z.infer<typeof windowFileSchema>;
export type StoredWindow = WindowFile['windows'][number];

export function windowFilePath(stateDir: string, env: string): string {
  return path.join(path.resolve(stateDir), 'monitor', `${env}.json`);
}

/** The stored windows of an environment, or why there are none (missing, damaged, another target). */
export function readWindowFile(stateDir: string, env: string): { file: WindowFile } | { none: string } {
  const file = windowFilePath(stateDir, env);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { none: code === 'ENOENT' ? `no monitor window in ${path.dirname(file)}` : `${file}: ${(e as Error).message.split('\n')[0]}` };
  }
  const parsed = windowFileSchema.safeParse(raw);
  return parsed.success ? { file: parsed.data } : { none: `${file}: not a window file of this version` };
}

export class WindowStore {
  readonly file: string;
  constructor(
    stateDir: string,
    private readonly env: string,
    private readonly health?: StateHealth,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.file = windowFilePath(stateDir, env);
  }

  /** The windows saved by an earlier process for this base URL, pruned to the window. */
  load(baseUrl: string, now: number, windowMs: number): (EndpointWindow & { checkId: string | null })[] {
    if (!fs.existsSync(this.file)) return [];
    const r = readWindowFile(path.dirname(path.dirname(this.file)), this.env);
    if ('none' in r) {
      try {
        const aside = moveAside(this.file);
        this.log(`${this.env}: ${r.none}: moved aside to ${path.basename(aside)}; the window starts empty`);
      } catch {
        /* unreadable and unmovable: the first save reports the disk */
      }
      return [];
    }
    if (r.file.baseUrl !== baseUrl) {
      this.log(`${this.env}: the saved window sampled ${r.file.baseUrl}, not ${baseUrl}: it starts empty`);
      return [];
    }
    const out = r.file.windows.map((w) => ({ ...w }));
    for (const w of out) prune(w, now, windowMs);
    return out;
  }

  save(data: Omit<WindowFile, 'version' | 'env'>): void {
    const write = () => writeJsonAtomic(this.file, { version: 1, env: this.env, ...data } satisfies WindowFile);
    if (this.health) this.health.save(this.file, write);
    else write();
  }
}

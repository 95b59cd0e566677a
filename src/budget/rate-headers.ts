/**
 * What a response says about the target's rate limit, from the headers services send:
 * Retry-After (seconds or an HTTP date), RateLimit-Limit/-Remaining/-Reset (IETF draft, delta
 * seconds), the combined RateLimit header (`limit=100, remaining=0, reset=30` or
 * `"default";r=0;t=30`), and X-RateLimit-Limit/-Remaining/-Reset (Reset as delta seconds or as
 * an epoch timestamp, as GitHub sends it). Pure; header names lower-case.
 */
export interface RateSignal {
  /** Seconds the service asks us to wait (Retry-After). */
  retryAfterS?: number;
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets. */
  resetS?: number;
}

const num = (v: string | undefined) => (v !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : undefined);

/** Retry-After: delta seconds or an HTTP date. */
export function retryAfterSeconds(v: string | undefined, nowMs: number): number | undefined {
  if (v === undefined) return undefined;
  const n = num(v);
  if (n !== undefined) return n;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, (t - nowMs) / 1000);
}

/** A reset value: delta seconds, or an epoch timestamp in seconds or milliseconds. */
function resetSeconds(v: string | undefined, nowMs: number): number | undefined {
  const n = num(v);
  if (n === undefined) return undefined;
  if (n > 1e12) return Math.max(0, (n - nowMs) / 1000);
  if (n > 1e9) return Math.max(0, n - nowMs / 1000);
  return n;
}

export function rateSignal(headers: Record<string, string>, nowMs = Date.now()): RateSignal {
  const s: RateSignal = {};
  const ra = retryAfterSeconds(headers['retry-after'], nowMs);
  if (ra !== undefined) s.retryAfterS = ra;
  const combined = headers.ratelimit;
  if (combined) {
    const pick = (re: RegExp) => num(re.exec(combined)?.[1]);
    s.limit = pick(/\blimit=(\d+)/);
    s.remaining = pick(/(?:\bremaining=|;\s*r=)(\d+)/);
    s.resetS = pick(/(?:\breset=|;\s*t=)(\d+)/);
  }
  s.limit ??= num(headers['ratelimit-limit']) ?? num(headers['x-ratelimit-limit']);
  s.remaining ??= num(headers['ratelimit-remaining']) ?? num(headers['x-ratelimit-remaining']);
  s.resetS ??= num(headers['ratelimit-reset']) ?? resetSeconds(headers['x-ratelimit-reset'], nowMs);
  for (const k of Object.keys(s) as (keyof RateSignal)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/**
 * How long to hold back after this answer, in seconds, or undefined to go on: a 429 waits
 * Retry-After (else the reset, else `fallbackS`); a success with nothing remaining waits the reset.
 */
export function holdSeconds(status: number | null, s: RateSignal, fallbackS: number): number | undefined {
  if (status === 429) return s.retryAfterS ?? s.resetS ?? fallbackS;
  if (s.remaining === 0) return s.retryAfterS ?? s.resetS ?? fallbackS;
  return undefined;
}

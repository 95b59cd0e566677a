/**
 * How an environment file describes a request, an API key's place and the target's rate limits.
 * Pure parsers: each returns the value or a one-line problem (config/load.ts reports every
 * problem at once). The syntax is documented in docs/environments-and-configuration.md.
 *
 *   CREDLINK_PROTECTED_HEADERS=Accept: application/json; X-Client: monitor   (";" separates, "\;" is a literal ";")
 *   CREDLINK_PROTECTED_BODY={"document":"probe"}    JSON text, or none
 *   CREDLINK_PROTECTED_FORM=image=@png; title=probe  multipart: text fields, and @png / @jpeg file parts the tool generates
 *   CREDLINK_PROTECTED_SUCCESS=200,201               statuses or classes (2xx)
 *   CREDLINK_API_KEY_IN=header:X-API-Key, bearer     header:NAME, bearer, basic, query:NAME
 *   CREDLINK_RATE_LIMIT=100/min                      N/s, N/min, N/h, N/<seconds>s, or none
 *   CREDLINK_RATE_LIMIT_PATHS=/sign=10/min per key, /verify=30/min, /upload=5/min per header:X-API-Key
 */
import { z } from '../src/zod.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

export const fileTypeSchema = z.enum(['png', 'jpeg']);
export type FileType = z.infer<typeof fileTypeSchema>;

export const bodySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('json'), json: z.string() }),
  z.object({
    kind: z.literal('multipart'),
    fields: z.record(z.string(), z.string()),
    /** File parts the tool generates: a small valid image of this type. */
    files: z.array(z.object({ field: z.string(), type: fileTypeSchema })),
  }),
]);
export type RequestBody = z.infer<typeof bodySchema>;

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One request the checks send, fully described by the environment. `path: null` = this deployment has no such endpoint. */
export const requestSpecSchema = z.object({
  method: z.enum(METHODS),
  path: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  body: bodySchema,
  /** Statuses that count as this request's success: numbers ("201") or classes ("2xx"). */
  success: z.array(z.string()),
});
export type RequestSpec = z.infer<typeof requestSpecSchema>;

export const presentationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('header'), name: z.string() }),
  z.object({ kind: z.literal('bearer') }),
  z.object({ kind: z.literal('basic') }),
  z.object({ kind: z.literal('query'), name: z.string() }),
]);
/** One way an API key can be presented to the service. */
export type Presentation = z.infer<typeof presentationSchema>;

export const rateLimitSchema = z.object({ limit: z.number(), windowS: z.number() });
export type RateLimit = z.infer<typeof rateLimitSchema>;
/**
 * perKey: each credential has its own count ("per key"). perHeader: counted by the value of that
 * header (lower case), and every request WITHOUT the header shares one count per client ("per
 * header:X-API-Key": what express-rate-limit keyed on `req.header('x-api-key') ?? req.ip` does).
 */
export const pathLimitSchema = rateLimitSchema.extend({ path: z.string(), perKey: z.boolean(), perHeader: z.string().optional() });
export type PathLimit = z.infer<typeof pathLimitSchema>;

/** Splits on ";" (a literal ";" is written "\;"), trims, drops empty items. */
export function splitItems(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && s[i + 1] === ';') {
      cur += ';';
      i++;
    } else if (ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the checks set themselves: an environment must not fix them. */
const RESERVED_HEADERS = new Set(['authorization', 'x-api-key', 'cookie', 'content-length', 'host', 'proxy-authorization']);

export function parseHeaders(s: string, keyHeaders: readonly string[] = []): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of splitItems(s)) {
    const cut = item.indexOf(':');
    const name = cut > 0 ? item.slice(0, cut).trim() : '';
    if (!TOKEN.test(name)) return bad(`has "${item}": write each header as "Name: value", separated by ";"`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || keyHeaders.includes(lower)) {
      return bad(`sets ${name}: the checks send keys themselves (CREDLINK_API_KEYS, CREDLINK_API_KEY_IN); remove it`);
    }
    out[lower] = item.slice(cut + 1).trim();
  }
  return ok(out);
}

export function parseJsonBody(s: string): Parsed<RequestBody> {
  if (s.trim().toLowerCase() === 'none') return ok({ kind: 'none' });
  try {
    JSON.parse(s);
  } catch {
    return bad('is not valid JSON: write the JSON body, or "none" for no body (a multipart body goes in *_FORM)');
  }
  return ok({ kind: 'json', json: s });
}

const FILE_TYPES: Record<string, FileType> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg' };

export function parseForm(s: string): Parsed<RequestBody> {
  const fields: Record<string, string> = {};
  const files: { field: string; type: FileType }[] = [];
  const items = splitItems(s);
  if (!items.length) return bad('is empty: write parts as "image=@png; title=probe"');
  for (const item of items) {
    const cut = item.indexOf('=');
    const name = cut > 0 ? item.slice(0, cut).trim() : '';
    if (!name || /[\s"]/.test(name)) return bad(`has "${item}": write each part as name=value or name=@png / name=@jpeg, separated by ";"`);
    const value = item.slice(cut + 1).trim();
    if (value.startsWith('@')) {
      const type = FILE_TYPES[value.slice(1).toLowerCase()];
      if (!type) return bad(`part ${name}: "${value}" is not a file the tool can generate: use @png or @jpeg`);
      files.push({ field: name, type });
    } else fields[name] = value;
  }
  return ok({ kind: 'multipart', fields, files });
}

export function parseSuccess(s: string): Parsed<string[]> {
  const items = s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  if (!items.length) return bad('is empty: list statuses such as 200,201 or classes such as 2xx');
  for (const i of items) {
    if (!/^[1-5](\d\d|xx)$/.test(i)) return bad(`has "${i}": list statuses such as 200,201 or classes such as 2xx`);
  }
  return ok(items);
}

/** True when `status` is listed (exactly or by its class). */
export function isSuccessStatus(success: readonly string[], status: number | null): boolean {
  if (status === null) return false;
  return success.some((s) => s === String(status) || (s.endsWith('xx') && s[0] === String(status)[0]));
}

export function parsePresentations(s: string): Parsed<Presentation[]> {
  const out: Presentation[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [kind = '', name = ''] = raw.split(':', 2).map((x) => x.trim());
    const k = kind.toLowerCase();
    if (k === 'bearer' || k === 'basic') out.push({ kind: k });
    else if (k === 'header' && TOKEN.test(name) && name.toLowerCase() !== 'authorization') out.push({ kind: 'header', name });
    else if (k === 'query' && /^[A-Za-z0-9_.~-]+$/.test(name)) out.push({ kind: 'query', name });
    else return bad(`has "${raw}": use header:NAME, bearer, basic or query:NAME (e.g. header:X-API-Key, bearer)`);
  }
  if (!out.length) return bad('is empty: name at least one way, e.g. header:X-API-Key');
  return ok(out);
}

/** "header X-API-Key", "the Authorization header as Bearer", "query parameter api_key": for reports (never the key). */
export function describePresentation(p: Presentation): string {
  switch (p.kind) {
    case 'header':
      return `header ${p.name}`;
    // Never "Authorization: ..." in report text: the scrubber redacts whatever follows that header name.
    case 'bearer':
      return 'the Authorization header as Bearer';
    case 'basic':
      return 'the Authorization header as Basic';
    case 'query':
      return `query parameter ${p.name}`;
  }
}

const UNITS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** "100/min", "10/60s", "5/s" -> { limit, windowS }; "none" -> null. */
export function parseRate(s: string): Parsed<RateLimit | null> {
  const t = s.trim().toLowerCase();
  if (t === 'none') return ok(null);
  const m = /^(\d+)\s*\/\s*(?:(\d+)\s*s|([a-z]+))$/.exec(t);
  const windowS = m ? (m[2] ? Number(m[2]) : UNITS[m[3]!]) : undefined;
  if (!m || !windowS || Number(m[1]) < 1) return bad(`"${s}" is not a rate: write N/s, N/min, N/h or N/<seconds>s (e.g. 100/min, 10/60s), or none`);
  return ok({ limit: Number(m[1]), windowS });
}

/** "/sign=10/min per key, /verify=30/min, /upload=5/min per header:X-API-Key" */
export function parsePathLimits(s: string): Parsed<PathLimit[]> {
  const out: PathLimit[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(\/\S*)\s*=\s*(.+?)(\s+per\s+(key|client|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+))?$/i.exec(raw);
    if (!m) return bad(`has "${raw}": write PATH=RATE, optionally followed by "per key", "per client" or "per header:NAME" (e.g. /sign=10/min per header:X-API-Key)`);
    const r = parseRate(m[2]!);
    if (!r.ok) return bad(`path ${m[1]}: ${r.problem}`);
    if (!r.value) return bad(`path ${m[1]}: "none" is not a limit here; leave the path out instead`);
    const per = (m[4] ?? '').toLowerCase();
    out.push({ path: m[1]!, ...r.value, perKey: per === 'key', ...(per.startsWith('header:') ? { perHeader: per.slice(7) } : {}) });
  }
  return ok(out);
}

/** How a limiter counts: by client, by any credential, or by one header's value (requests without it: one count per client). */
export type LimitPer = { kind: 'client' } | { kind: 'key' } | { kind: 'header'; name: string };

/** "client", "key" or "header:NAME" (CREDLINK_AUTH_FAIL_LIMIT_PER). */
export function parseLimitPer(s: string): Parsed<LimitPer> {
  const t = s.trim().toLowerCase();
  if (t === 'client' || t === 'key') return ok({ kind: t });
  const m = /^header:([!#$%&'*+.^_`|~0-9a-z-]+)$/.exec(t);
  if (m) return ok({ kind: 'header', name: m[1]! });
  return bad(`"${s}" is not a way to count: write client, key, or header:NAME (e.g. header:X-API-Key: requests without that header share one count)`);
}

/** Words for a path limit's count: "" (per client), " per key", " per header:x-api-key". */
export function describePer(p: { perKey: boolean; perHeader?: string }): string {
  return p.perHeader ? ` per header:${p.perHeader}` : p.perKey ? ' per key' : '';
}

export function formatRate(r: RateLimit): string {
  const unit = r.windowS === 60 ? 'min' : r.windowS === 1 ? 's' : r.windowS === 3600 ? 'h' : `${r.windowS}s`;
  return `${r.limit}/${unit}`;
}

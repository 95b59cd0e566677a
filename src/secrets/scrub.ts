/**
 * Removes secrets from text before it reaches any output. Two layers:
 * 1. every known secret value becomes [REDACTED], in the forms an answer or a log may echo it:
 *    as given, in any letter case, URL-encoded, JSON-escaped, hex, base64 and base64url (at
 *    each of the three byte alignments, so a secret inside a larger base64 blob such as a Basic
 *    credential is found too); a part of a secret of at least PARTIAL characters, at the start
 *    or at the end of one (what is left when something cut the text across a secret), goes too;
 * 2. shapes that carry credentials whatever their value: URL userinfo passwords, API key and
 *    authorization headers (Playwright prints every request header in timeout call logs).
 *
 * Scrub, then cut: text that is shortened for a report must be scrubbed whole first
 * (`excerpt()`), so a secret across the cut is never half kept.
 */
export const REDACTED = '[REDACTED]';

/** Shortest piece of a secret that is removed on its own (a cut secret's head or tail). */
export const PARTIAL = 8;
/** At the very end of a text (cut after it), a secret's first characters go from this length on. */
const TRAILING_PARTIAL = 4;

/** Where a cut text stops or starts: whitespace, quotes, punctuation, brackets, the ellipsis. */
const BOUNDARY = /[\s"'`.,;:=&?#()[\]{}<>\\|\u2026]/;

/** ASCII-only lower case: keeps every index where it was (String#toLowerCase may not). */
const fold = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** The stable inner part of base64(secret) when the secret starts `offset` bytes into a larger value. */
function base64Inner(secret: Buffer, offset: number, url: boolean): string {
  const padded = Buffer.concat([Buffer.alloc(offset), secret]);
  const b64 = padded.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
  const first = Math.ceil((offset * 8) / 6);
  const last = Math.floor(((offset + secret.length) * 8) / 6);
  return b64.slice(first, last);
}

/** Every form a secret is searched for (exact spelling; matching ignores ASCII case). */
export function formsOf(secret: string): string[] {
  const raw = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([secret]);
  const derived = [encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), raw.toString('hex')];
  for (const url of [false, true]) for (const offset of [0, 1, 2]) derived.push(base64Inner(raw, offset, url));
  // Derived forms shorter than PARTIAL would match by chance; the secret itself counts from 4.
  for (const d of derived) if (d.length >= PARTIAL) forms.add(d);
  return [...forms];
}

interface Needle {
  form: string;
  folded: string;
}

export class Scrubber {
  private readonly needles: Needle[];
  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      for (const f of formsOf(s)) forms.add(f);
    }
    this.needles = [...forms].sort((a, b) => b.length - a.length).map((form) => ({ form, folded: fold(form) }));
  }

  get size(): number {
    return this.needles.length;
  }

  /** Known secret values only (no shapes): safe on any text, markup included. */
  values(input: string): string {
    if (!this.needles.length || !input) return input;
    const hay = fold(input);
    const cut: [number, number][] = [];
    for (const n of this.needles) {
      const f = n.folded;
      // Whole secrets, and heads of cut secrets: the first PARTIAL characters, extended while they
      // match. A head that stops short counts only where the text stops too (end, space, quote,
      // punctuation): a secret with a common prefix (a Slack path "/services/...") must not eat
      // text that merely diverges from it ("/services/credlink-api-service").
      const head = f.slice(0, Math.min(PARTIAL, f.length));
      for (let i = hay.indexOf(head); i >= 0; i = hay.indexOf(head, i + 1)) {
        let j = head.length;
        while (j < f.length && i + j < hay.length && hay[i + j] === f[j]) j++;
        if (j === f.length || i + j >= hay.length || BOUNDARY.test(hay[i + j]!)) cut.push([i, i + j]);
      }
      // Tails of cut secrets (the text was cut before them): the last PARTIAL characters, extended backwards.
      if (f.length > PARTIAL) {
        const tail = f.slice(-PARTIAL);
        for (let i = hay.indexOf(tail); i >= 0; i = hay.indexOf(tail, i + 1)) {
          let j = PARTIAL;
          while (j < f.length && i - (j - PARTIAL) - 1 >= 0 && hay[i - (j - PARTIAL) - 1] === f[f.length - j - 1]) j++;
          const start = i + PARTIAL - j;
          if (j === f.length || start === 0 || BOUNDARY.test(hay[start - 1]!)) cut.push([start, i + PARTIAL]);
        }
      }
      // A shorter head at the very end of the text: the text was cut inside the secret.
      for (let k = Math.min(f.length, PARTIAL) - 1; k >= TRAILING_PARTIAL; k--) {
        if (hay.endsWith(f.slice(0, k))) {
          cut.push([hay.length - k, hay.length]);
          break;
        }
      }
    }
    if (!cut.length) return input;
    cut.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = '';
    let at = 0;
    for (const [from, to] of cut) {
      if (to <= at) continue;
      if (from >= at) out += input.slice(at, from) + REDACTED;
      at = to;
    }
    return out + input.slice(at);
  }

  text(input: string): string {
    return this.values(input)
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`)
      // A placeholder is not a credential: `X-API-Key: <key>` and `${API_KEY}` in a runbook command stay.
      .replace(
        /((?:x-api-key|authorization|proxy-authorization|cookie|set-cookie|x-admin-token)["']?\s*[:=])(?!\s*["']?(?:<[\w .-]{1,40}>|\$\{?[A-Z_][A-Z0-9_]*\}?)(?:["'\s\\]|$))(\s*["']?)[^\r\n"',}\\]+/gi,
        `$1$2${REDACTED}`,
      );
  }

  /**
   * Scrub, then cut: the text scrubbed whole, then shortened to at most `max` characters (plus a
   * note of what was left out). A cut never splits a [REDACTED] marker.
   */
  excerpt(input: string, max: number): string {
    const clean = this.text(input);
    if (clean.length <= max) return clean;
    let end = max;
    const marker = clean.lastIndexOf(REDACTED.slice(0, 1), end);
    if (marker >= 0 && marker < end && marker + REDACTED.length > end && clean.startsWith(REDACTED, marker)) end = marker;
    return `${clean.slice(0, end)}... (${clean.length - end} more characters)`;
  }

  /** Deep-scrub a JSON-able value. */
  value<T>(v: T): T {
    return JSON.parse(this.text(JSON.stringify(v))) as T;
  }

  /** Binary content: known secret values replaced byte for byte (exact spelling), nothing else touched. */
  bytes(b: Buffer): Buffer {
    let out = b;
    for (const { form } of this.needles) {
      const needle = Buffer.from(form, 'utf8');
      if (!out.includes(needle)) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, from)) {
        parts.push(out.subarray(from, i), Buffer.from(REDACTED));
        from = i + needle.length;
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }

  buffer(b: Buffer): Buffer {
    return Buffer.from(this.text(b.toString('utf8')), 'utf8');
  }
}

/**
 * Removes secrets from text before it reaches any output. Two layers:
 * 1. every known secret value (and its URL-encoded and base64 forms) becomes [REDACTED];
 * 2. shapes that carry credentials whatever their value: URL userinfo passwords, API key and
 *    authorization headers (Playwright prints every request header in timeout call logs).
 */
export const REDACTED = '[REDACTED]';

export class Scrubber {
  private readonly needles: string[];
  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(Buffer.from(s).toString('base64'));
      forms.add(JSON.stringify(s).slice(1, -1));
    }
    this.needles = [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.needles.length;
  }

  text(input: string): string {
    let out = input;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`)
      .replace(/((?:x-api-key|authorization|proxy-authorization|cookie|set-cookie|x-admin-token)["']?\s*[:=]\s*["']?)[^\r\n"',}\\]+/gi, `$1${REDACTED}`);
  }

  /** Deep-scrub a JSON-able value. */
  value<T>(v: T): T {
    return JSON.parse(this.text(JSON.stringify(v))) as T;
  }

  /** Binary content: known secret values replaced byte for byte, nothing else touched. */
  bytes(b: Buffer): Buffer {
    let out = b;
    for (const n of this.needles) {
      const needle = Buffer.from(n, 'utf8');
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

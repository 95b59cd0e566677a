/**
 * Origins an allow-list must refuse although they look like allowed ones (OWASP WSTG
 * "Testing Cross Origin Resource Sharing"; PortSwigger's CORS misconfiguration classes):
 * `null` (sandboxed iframes, file: pages and some redirects send it: allowing it with
 * credentials lets any site in), the allowed origin with a suffix (an unanchored match),
 * a prefix on its host (a match on the end of the string) and http instead of https (a
 * match that ignores the scheme, open to a network attacker). Derived from the first allowed
 * origin only: the same mistake shows on every entry of a list.
 */
export interface LookAlike {
  origin: string;
  /** The matching mistake it catches, in words. */
  why: string;
}

/** Suffix domain: `.invalid` is reserved (RFC 2606), so nothing real is ever named. */
const SUFFIX = 'credlink-checks.invalid';

export function lookAlikeOrigins(allowed: readonly string[]): LookAlike[] {
  const out: LookAlike[] = [{ origin: 'null', why: 'Origin: null (sandboxed iframes, file: pages)' }];
  const first = allowed.find((o) => /^https?:\/\/[^/\s]+$/.test(o));
  if (first) {
    const u = new URL(first);
    out.push({ origin: `${first}.${SUFFIX}`, why: `the allowed origin with a suffix (${first}.${SUFFIX})` });
    out.push({ origin: `${u.protocol}//evil${u.host}`, why: `a prefix on the allowed host (${u.protocol}//evil${u.host})` });
    if (u.protocol === 'https:') out.push({ origin: `http://${u.host}`, why: `the allowed origin over http (http://${u.host})` });
  }
  return out.filter((l) => !allowed.includes(l.origin));
}

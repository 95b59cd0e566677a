/**
 * Keys derived from a valid key, which a service comparing keys exactly must refuse: the other
 * letter case, prefixes and suffixes (truncated or extended), surrounding whitespace, one
 * character changed. Any of them accepted means the service matches keys loosely: a breach.
 *
 * They are secrets as much as the key (a truncated key is most of it): config/resolved.ts
 * secretsOf() lists them, so every output is scrubbed of them. `name` says how a key was
 * derived and never contains it.
 *
 * Whitespace: HTTP removes spaces and tabs around a header value before the service sees it
 * (RFC 9110, 5.5), so " key" in a header is the key itself. The key is wrapped in no-break
 * spaces (U+00A0), which HTTP keeps, so a service that trims or normalises its input shows.
 */
export interface DerivedKey {
  /** How the key was derived, e.g. "without its last character". Never the key. */
  name: string;
  key: string;
}

/** The next character of the same kind: digit -> digit, letter -> letter of the same case, else "A". */
function changed(ch: string): string {
  if (/[0-9]/.test(ch)) return String((Number(ch) + 1) % 10);
  if (/[a-z]/.test(ch)) return ch === 'z' ? 'a' : String.fromCharCode(ch.charCodeAt(0) + 1);
  if (/[A-Z]/.test(ch)) return ch === 'Z' ? 'A' : String.fromCharCode(ch.charCodeAt(0) + 1);
  return ch === 'A' ? 'B' : 'A';
}

export function deriveKeys(key: string): DerivedKey[] {
  const out: DerivedKey[] = [];
  const add = (name: string, k: string) => {
    if (k !== key && k.length > 0 && !out.some((d) => d.key === k)) out.push({ name, key: k });
  };
  const swapped = [...key].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  add('its letters in the other case', swapped);
  add('in upper case', key.toUpperCase());
  add('in lower case', key.toLowerCase());
  if (key.length >= 8) {
    add('without its last character', key.slice(0, -1));
    add('its first half', key.slice(0, Math.ceil(key.length / 2)));
    add('without its first character', key.slice(1));
    add('its second half', key.slice(Math.floor(key.length / 2)));
  }
  add('with a character appended', `${key}${changed(key.at(-1)!)}`);
  add('with a character prepended', `${changed(key[0]!)}${key}`);
  add('wrapped in no-break spaces', `\u00a0${key}\u00a0`);
  add('with its last character changed', `${key.slice(0, -1)}${changed(key.at(-1)!)}`);
  add('with its first character changed', `${changed(key[0]!)}${key.slice(1)}`);
  return out;
}

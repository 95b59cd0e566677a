/**
 * A JSON syntax error as "line L, column C: what" (1-based), for a person fixing the file.
 * V8 names a position for most errors, not for an unexpected token ("Unexpected token '}', ...
 * is not valid JSON"): then the position is found by parsing prefixes (binary search: a prefix
 * is fine so far when its only fault is that it ends too soon).
 */
const AT = /(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?$/;

function faultAt(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    if (/^Unexpected end of JSON input/.test(message)) return text.length;
    const at = AT.exec(message);
    return at ? Number(at[1]) : -1;
  }
}

/** Where parsing `text` fails, as an index (text.length: it ends too soon). */
export function jsonErrorIndex(text: string): number | undefined {
  const direct = faultAt(text);
  if (direct === undefined || direct >= 0) return direct;
  // The shortest prefix that fails before its end: its last character is the fault.
  let lo = 1;
  let hi = text.length;
  const failsInside = (n: number) => {
    const at = faultAt(text.slice(0, n));
    return at !== undefined && at < n;
  };
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

export function describeJsonError(text: string, error: Error): string {
  const what = error.message.replace(AT, '').replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const index = jsonErrorIndex(text) ?? 0;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}: ${what}`;
}

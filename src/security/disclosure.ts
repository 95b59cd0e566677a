/**
 * Does an error response expose the service's insides: a stack trace or an internal file path?
 * Pure, over the body and header values. A hit is a non-critical security issue (SEV-2): it
 * tells an attacker the stack, the versions and the layout of the code.
 */
export interface Disclosure {
  kind: 'stack trace' | 'internal path';
  /** The matching fragment, shortened. */
  excerpt: string;
}

const STACK_PATTERNS: RegExp[] = [
  // Node / V8: "    at handle (/srv/app/src/server.js:42:13)" or "at node:internal/..."
  /\bat (?:async )?[\w$.<>[\] ]*\(?(?:\/|[A-Za-z]:\\|file:\/\/|node:)[^\s)"]*:\d+:\d+\)?/,
  // Python
  /Traceback \(most recent call last\)/,
  /File "[^"]+", line \d+/,
  // Java / JVM
  /\bat [\w$]+(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)/,
  // Go panics, Ruby, PHP
  /goroutine \d+ \[running\]/,
  /\.rb:\d+:in `/,
  /PHP (?:Fatal|Parse) error|Stack trace:\s*#0/,
  // .NET
  /\bat [\w.]+\(.*\) in [^\n]+:line \d+/,
];

const PATH_PATTERNS: RegExp[] = [
  /(?:\/(?:home|srv|app|usr\/src|opt|var\/www|var\/task|workspace|builds?)\/)[\w.@/-]+\.(?:js|mjs|cjs|ts|py|rb|go|java|php|cs)\b/,
  /\/node_modules\/[\w.@/-]+/,
  /\b[A-Za-z]:\\(?:[\w .-]+\\)+[\w .-]+\.\w+/,
];

export function findDisclosures(text: string): Disclosure[] {
  const out: Disclosure[] = [];
  // JSON bodies escape slashes and newlines: look at the unescaped text too.
  const plain = text.replace(/\\n/g, '\n').replace(/\\\//g, '/').replace(/\\\\/g, '\\');
  for (const re of STACK_PATTERNS) {
    const m = re.exec(plain);
    if (m) {
      out.push({ kind: 'stack trace', excerpt: m[0].slice(0, 160) });
      break;
    }
  }
  for (const re of PATH_PATTERNS) {
    const m = re.exec(plain);
    if (m) {
      out.push({ kind: 'internal path', excerpt: m[0].slice(0, 160) });
      break;
    }
  }
  return out;
}

/** Disclosures in an error answer (4xx/5xx): body and header values. */
export function disclosuresOf(status: number | null, body: string, headers: Record<string, string>): Disclosure[] {
  if (status === null || status < 400) return [];
  return findDisclosures([body, ...Object.values(headers)].join('\n'));
}

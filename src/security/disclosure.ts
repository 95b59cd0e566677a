/**
 * Does an answer expose the service's insides: a stack trace, an internal file path, a
 * credential, a server version? Pure, over the body and header values.
 *
 * Severity follows what an attacker gains: a credential (private key, cloud access key id, a
 * connection URL with its password) is a vulnerability in production (SEV-1: whoever can make
 * the service answer it holds the secret; a breach, SEV-0, is when someone used it, which an
 * answer cannot show); a stack trace or internal
 * path tells the stack and the layout of the code (issue, SEV-2); a version banner in a body
 * names what to look up in CVE lists (hardening, SEV-3). A credential's excerpt names its kind,
 * never its value.
 */
import type { SecurityClass } from './verdict.ts';

export type DisclosureKind = 'stack trace' | 'internal path' | 'credential' | 'version banner';

export interface Disclosure {
  kind: DisclosureKind;
  /** The matching fragment, shortened; for a credential only what kind it is. */
  excerpt: string;
}

export const disclosureClass: Record<DisclosureKind, SecurityClass> = {
  credential: 'vulnerability',
  'stack trace': 'issue',
  'internal path': 'issue',
  'version banner': 'hardening',
};

// Every repetition is bounded: the every-answer scan reads bodies nobody chose, and an unbounded
// `[...]*` before a required suffix is quadratic on a body such as "at at at ..." (measured here:
// 127 ms per 16 KiB body unbounded, under 10 ms bounded; an ordinary 16 KiB JSON body about 0.2 ms).
const STACK_PATTERNS: RegExp[] = [
  // Node / V8: "    at handle (/srv/app/src/server.js:42:13)" or "at node:internal/..."
  /\bat (?:async )?[\w$.<>[\] ]{0,120}\(?(?:\/|[A-Za-z]:\\|file:\/\/|node:)[^\s)"]{0,300}:\d+:\d+\)?/,
  // Python
  /Traceback \(most recent call last\)/,
  /File "[^"\n]{1,300}", line \d+/,
  // Java / JVM
  /\bat [\w$]+(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)/,
  // Go panics, Ruby, PHP
  /goroutine \d+ \[running\]/,
  /\.rb:\d+:in `/,
  /PHP (?:Fatal|Parse) error|Stack trace:\s*#0/,
  // .NET
  /\bat [\w.]{1,200}\([^\n)]{0,300}\) in [^\n]{1,300}:line \d+/,
];

const PATH_PATTERNS: RegExp[] = [
  /(?:\/(?:home|srv|app|usr\/src|opt|var\/www|var\/task|workspace|builds?)\/)[\w.@/-]{1,300}\.(?:js|mjs|cjs|ts|py|rb|go|java|php|cs)\b/,
  /\/node_modules\/[\w.@/-]{1,300}/,
  /\b[A-Za-z]:\\(?:[\w .-]{1,100}\\){1,20}[\w .-]{1,100}\.\w+/,
];

/** Shapes that are a credential whatever their value; the label is all a report shows. */
const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/, 'a private key block (-----BEGIN ... PRIVATE KEY-----)'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqps?):\/\/[^\s:@/"']{1,200}:[^\s@/"']{1,200}@/, 'a connection URL with its password'],
  [/\b(?:sk_live|rk_live)_[0-9A-Za-z]{16,}/, 'a live payment API secret key'],
  [/\bgh[pousr]_[0-9A-Za-z]{36}\b/, 'a GitHub token'],
];

/** Server software with its version, as error pages and debug bodies print it. */
const BANNER_PATTERN = /\b(?:nginx|Apache|Microsoft-IIS|openresty|Express|Werkzeug|gunicorn|uvicorn|Jetty|Apache-Coyote|Tomcat|Kestrel|PHP|Node\.js)[/ ]v?\d+\.\d+(?:\.\d+)?/;

export interface ScanOptions {
  /** Internal paths count only in error answers (a 2xx body may name files on purpose). Default true. */
  paths?: boolean;
  /** Credentials and version banners too (the every-answer scan). Default false. */
  wide?: boolean;
}

export function findDisclosures(text: string, opts: ScanOptions = {}): Disclosure[] {
  const out: Disclosure[] = [];
  // JSON bodies escape slashes and newlines: look at the unescaped text too.
  const plain = text.replace(/\\n/g, '\n').replace(/\\\//g, '/').replace(/\\\\/g, '\\');
  const first = (patterns: RegExp[]) => patterns.map((re) => re.exec(plain)).find((m) => m);
  const stack = first(STACK_PATTERNS);
  if (stack) out.push({ kind: 'stack trace', excerpt: stack[0].slice(0, 160) });
  const path = opts.paths === false ? undefined : first(PATH_PATTERNS);
  if (path) out.push({ kind: 'internal path', excerpt: path[0].slice(0, 160) });
  if (opts.wide) {
    const cred = CREDENTIAL_PATTERNS.find(([re]) => re.test(plain));
    if (cred) out.push({ kind: 'credential', excerpt: cred[1] });
    const banner = BANNER_PATTERN.exec(plain);
    if (banner) out.push({ kind: 'version banner', excerpt: banner[0].slice(0, 80) });
  }
  return out;
}

/** Disclosures in an error answer (4xx/5xx): body and header values. */
export function disclosuresOf(status: number | null, body: string, headers: Record<string, string>): Disclosure[] {
  if (status === null || status < 400) return [];
  return findDisclosures([body, ...Object.values(headers)].join('\n'));
}

/** Bytes of one body the every-answer scan reads (stack traces and error pages lead their body). */
export const SCAN_BODY_MAX = 16 * 1024;
/** Bytes one process scans in all, so a run of many large answers stays cheap; beyond it answers go unscanned. */
export const SCAN_TOTAL_MAX = 8 * 1024 * 1024;

/**
 * The every-answer scan (any status, any check or probe): the body's first SCAN_BODY_MAX
 * characters, within a total budget. Headers are security.headers' business (Server,
 * X-Powered-By); internal paths count only in error answers.
 */
export class AnswerScanner {
  scanned = 0;
  /** Answers left unscanned because the total was spent. */
  skipped = 0;
  constructor(private readonly totalMax = SCAN_TOTAL_MAX, private readonly bodyMax = SCAN_BODY_MAX) {}

  scan(status: number | null, body: string): Disclosure[] {
    if (status === null || !body) return [];
    if (this.scanned >= this.totalMax) {
      this.skipped += 1;
      return [];
    }
    const text = body.length > this.bodyMax ? body.slice(0, this.bodyMax) : body;
    this.scanned += text.length;
    return findDisclosures(text, { wide: true, paths: status >= 400 });
  }
}

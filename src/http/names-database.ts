/**
 * Does a failed answer (5xx) name the database as what failed? Pure, over a bounded excerpt of
 * the body. The evidence that orders two failures of one run: an API whose error answers say
 * "connection to server ... port 5432 failed" fails because of its database (runbooks/
 * dependencies.ts, rule database-named-in-errors).
 *
 * Deliberately narrow: the word "database" alone is not enough. What counts:
 * - a health-style field for the database whose value says it failed (`"database": "down"`);
 *   a field saying anything else (`"database": "ok"`, `"unknown"`) names nothing;
 * - the database (database, postgres, postgresql, mysql, db) within a few words of a failure
 *   ("could not connect to postgres", "Database connection failed");
 * - what drivers and the server themselves say: node-postgres ("Connection terminated
 *   unexpectedly", "timeout exceeded when trying to connect"), libpq ("connection to server at
 *   ... failed"), the server ("the database system is shutting down", "too many clients"),
 *   a refused connection to a database port (5432, 6432, 3306), a connection-class SQLSTATE
 *   (08xxx, 57P01-57P03, 53300) given as a code.
 * Not: a generic error ("internal_error", "service unavailable"), a refused connection to another
 * port, a "pool" without the database (worker pools exist too).
 */

/** Characters of a body read (error messages lead their body; bounds the cost on large pages). */
export const NAMES_BODY_MAX = 4096;
/** Characters kept around what matched, for the evidence (scrubbed again where it is written). */
const EXCERPT_MAX = 160;
/** Name prefix of the evidence an answer naming the database leaves on a finding (read by src/incidents/build.ts). */
export const DATABASE_NAMED_EVIDENCE = 'answer naming the database';

const DB = String.raw`(?:databases?|postgres(?:ql)?|mysql|mariadb|\bdb)\b`;
const FAIL = String.raw`(?:fail(?:ed|ure|ing|s)?|errors?|unreachable|unavailable|down|refused|terminated|timed? ?out|timeout|shutting down|could ?not|cannot|can't|unable|lost|closed|reset|disconnected|not connected|exhausted|too many)\b`;
const DB_KEY = String.raw`"(?:database|db|postgres(?:ql)?|pg|mysql)"\s*:\s*"([^"\n]{0,60})"`;
const FAILING_VALUE = /^(?:down|fail(?:ed|ing|ure)?|error|errored|unhealthy|unreachable|unavailable|disconnected|timeout|timed out|critical|dead|offline)$/i;

const DRIVER_PATTERNS: RegExp[] = [
  /Connection terminated(?: unexpectedly| due to connection timeout)?/i,
  /timeout exceeded when trying to connect/i,
  /connection to server (?:at|on) [^\n]{0,160}? failed/i,
  /could not connect to server/i,
  /the database system is (?:shutting down|starting up|in recovery mode|not yet accepting connections)/i,
  /(?:sorry, )?too many clients already|remaining connection slots are reserved/i,
  /terminating connection due to administrator command/i,
  /ECONNREFUSED[^\n]{0,80}?:(?:5432|6432|3306)\b/,
  /(?:sqlstate|"?code"?)["'\s:=]{0,4}(?:08000|08001|08003|08004|08006|57P01|57P02|57P03|53300)\b/i,
];

const PROSE_PATTERNS: RegExp[] = [new RegExp(`\\b${DB}[^\\n]{0,60}?\\b${FAIL}`, 'i'), new RegExp(`\\b${FAIL}[^\\n]{0,60}?\\b${DB}`, 'i')];

/** A connection URL's password never leaves here, whatever scrubs the excerpt later. */
function scrub(s: string): string {
  return s.replace(/(\b[a-z][\w+.-]{1,20}:\/\/[^\s:@/"']{1,200}:)[^\s@/"']{1,200}@/gi, '$1***@');
}

function excerptAround(text: string, index: number, length: number): string {
  const pad = Math.max(0, Math.floor((EXCERPT_MAX - length) / 2));
  const start = Math.max(0, index - pad);
  const cut = text.slice(start, Math.min(text.length, start + EXCERPT_MAX)).replace(/\s+/g, ' ').trim();
  return scrub(cut);
}

/**
 * The excerpt of a failed answer's body that names the database, or undefined. Answers that are
 * not 5xx name nothing (a 4xx is the client's problem; a 2xx may talk about its database freely).
 */
export function databaseNamedIn(status: number | null, body: string): string | undefined {
  if (status === null || status < 500 || !body) return undefined;
  // JSON bodies escape slashes, quotes and newlines: read the unescaped text.
  let text = (body.length > NAMES_BODY_MAX ? body.slice(0, NAMES_BODY_MAX) : body).replace(/\\n/g, '\n').replace(/\\\//g, '/');
  // Health-style fields: a failing value names the database; any other value is removed, so
  // `"database": "ok"` next to `"error": ...` is not read as a database error.
  const keyRe = new RegExp(DB_KEY, 'gi');
  for (const m of text.matchAll(keyRe)) if (FAILING_VALUE.test(m[1]!.trim())) return excerptAround(text, m.index, m[0].length);
  text = text.replace(keyRe, ' ');
  for (const re of DRIVER_PATTERNS) {
    const m = re.exec(text);
    if (m) return excerptAround(text, m.index, m[0].length);
  }
  // Prose only: a source file in a stack frame ("at q (/srv/app/src/database/pool.js:3:9)") names a
  // folder, not a failure, so file paths are blanked before the words are read.
  const prose = text.replace(/(?:[A-Za-z]:)?[\w.@-]{0,100}(?:[\/\\][\w.@-]{1,100}){1,30}\.(?:js|mjs|cjs|ts|py|rb|go|java|php|cs)\b(?::\d+){0,2}/g, (m) => ' '.repeat(m.length));
  for (const re of PROSE_PATTERNS) {
    const m = re.exec(prose);
    if (m) return excerptAround(text, m.index, m[0].length);
  }
  return undefined;
}

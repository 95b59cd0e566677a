/**
 * Error text on its way to a report. Playwright appends a "Call log" to API request errors that
 * lists every request header with its value (microsoft/playwright#31717, open; the maintainers
 * will not redact): the log is cut off here, then known secrets and credential shapes are scrubbed.
 */
import type { Scrubber } from './scrub.ts';

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Removes every "Call log:" block (the line and the indented lines under it, ANSI-dimmed or not). */
export function stripCallLog(text: string): string {
  if (!text.includes('Call log:')) return text;
  const out: string[] = [];
  let inLog = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(ANSI, '');
    if (/^\s*Call log:\s*$/.test(line)) {
      inLog = true;
      out.push(line.replace(/Call log:.*/, 'Call log: [removed: it lists request headers]'));
      continue;
    }
    if (inLog && (/^\s+-/.test(line) || /^\s{2,}\S/.test(line))) continue;
    inLog = false;
    out.push(raw);
  }
  return out.join('\n');
}

/** The text safe for any report: call logs removed, then secrets scrubbed. */
export function sanitizeErrorText(text: string, scrubber: Scrubber): string {
  return scrubber.text(stripCallLog(text));
}

/**
 * Scrubs a run folder after the fact: every file a run (or a reporter we do not control:
 * Playwright's JUnit/JSON/HTML, Allure results, traces) wrote is rewritten without secrets.
 * - text files: known secrets and credential shapes (Scrubber.text), Playwright call logs removed;
 * - JSON files: also base64 attachment bodies (Playwright's JSON reporter inlines attachments);
 * - zip archives (traces, .zip attachments) and base64 zips embedded in HTML (Playwright's HTML
 *   report): entries scrubbed and the archive rewritten;
 * - other binary files: known secret values replaced byte for byte; an archive that cannot be
 *   read is deleted rather than left holding a secret.
 * Alerting, Allure and the HTML report call this too: `scrubRunDir(runDir, secretsOf(config))`.
 *
 * Scrub data, not markup: the reports rendered from runbook.json (RENDERED_FROM_REPORT) are
 * built from already-scrubbed data, so only known secret values are replaced in them; the
 * credential-shape patterns never run over HTML or Markdown, where they would eat across
 * escaped quotes (`&quot;`) and cut a runbook step in half.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stripCallLog } from './error-text.ts';
import { Scrubber } from './scrub.ts';
import { isZip, readZip, writeZip } from './zip.ts';

export interface ScrubResult {
  /** Files looked at. */
  files: number;
  /** Files rewritten because they held a secret (paths relative to the run folder). */
  changed: string[];
  /** Files deleted because they could not be scrubbed safely. */
  removed: string[];
}

/** Not text: a NUL byte, or bytes that are not valid UTF-8 (decoding and re-encoding would corrupt them). */
const isBinary = (b: Buffer) => b.subarray(0, 8192).includes(0) || !Buffer.from(b.toString('utf8'), 'utf8').equals(b);
const EMBEDDED_ZIP = /(data:application\/zip;base64,)([A-Za-z0-9+/=]+)/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Files of a run folder rendered from the scrubbed runbook.json (src/report/run-outputs.ts). */
export const RENDERED_FROM_REPORT: ReadonlySet<string> = new Set(['index.html', 'runbook.md', 'runbook.html']);

export function scrubRunDir(runDir: string, secrets: readonly string[] | Scrubber): ScrubResult {
  const scrubber = secrets instanceof Scrubber ? secrets : new Scrubber(secrets);
  const result: ScrubResult = { files: 0, changed: [], removed: [] };
  if (!fs.existsSync(runDir)) return result;
  for (const file of walk(runDir)) {
    result.files += 1;
    const rel = path.relative(runDir, file);
    const before = fs.readFileSync(file);
    let after: Buffer;
    try {
      after = RENDERED_FROM_REPORT.has(rel) ? Buffer.from(scrubber.values(before.toString('utf8')), 'utf8') : scrubFile(file, before, scrubber);
    } catch {
      fs.rmSync(file, { force: true });
      result.removed.push(rel);
      continue;
    }
    if (!after.equals(before)) {
      fs.writeFileSync(file, after);
      result.changed.push(rel);
    }
  }
  return result;
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/** One file's bytes, scrubbed; throws when an archive cannot be read. */
export function scrubFile(name: string, b: Buffer, s: Scrubber): Buffer {
  if (isZip(b)) return scrubZip(b, s);
  if (isBinary(b)) return s.bytes(b);
  let text = b.toString('utf8');
  if (name.endsWith('.json')) text = scrubJsonBodies(text, s);
  if (text.includes('data:application/zip;base64,')) {
    text = text.replace(EMBEDDED_ZIP, (_m, prefix: string, data: string) => prefix + scrubZip(Buffer.from(data, 'base64'), s).toString('base64'));
  }
  return Buffer.from(s.text(stripCallLog(text)), 'utf8');
}

function scrubZip(b: Buffer, s: Scrubber): Buffer {
  const entries = readZip(b);
  let changed = false;
  const out = entries.map((e) => {
    const data = scrubFile(e.name, e.data, s);
    if (!data.equals(e.data)) changed = true;
    return { name: e.name, data };
  });
  return changed ? writeZip(out) : b;
}

/** Playwright's JSON reporter stores attachment bodies as base64: scrub them decoded. */
function scrubJsonBodies(text: string, s: Scrubber): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  let changed = false;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (k === 'body' && typeof x === 'string' && x.length >= 8 && BASE64.test(x)) {
        const raw = Buffer.from(x, 'base64');
        const clean = scrubFile(typeof o.name === 'string' ? o.name : 'body', raw, s);
        if (!clean.equals(raw)) {
          o[k] = clean.toString('base64');
          changed = true;
        }
      } else visit(x);
    }
  };
  visit(doc);
  return changed ? JSON.stringify(doc, null, 2) : text;
}

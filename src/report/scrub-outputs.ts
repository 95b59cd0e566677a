/**
 * Scrubs the report files other reporters wrote into the run folder (junit.xml, playwright.json,
 * allure-results/*): Playwright's error texts can carry request headers (timeout call logs) and
 * allure-playwright stores attachments and errors as they are. A first line of defence run by
 * src/reporter/post-run.ts; the run folder's generic scrubbing runs after the process as well.
 * Text files only (json, xml, txt, md, properties); binaries are left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Scrubber } from '../secrets/scrub.ts';

const TEXT = /\.(json|xml|txt|md|properties|log|html|csv)$/i;

/** Rewrites the given files and every text file under the given folders; returns files changed. */
export function scrubOutputs(paths: readonly string[], scrub: Scrubber): number {
  let changed = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.lstatSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) visit(path.join(p, name));
      return;
    }
    if (!st.isFile() || !TEXT.test(p)) return;
    const before = fs.readFileSync(p, 'utf8');
    const after = scrub.text(before);
    if (after !== before) {
      fs.writeFileSync(p, after);
      changed += 1;
    }
  };
  for (const p of paths) visit(p);
  return changed;
}

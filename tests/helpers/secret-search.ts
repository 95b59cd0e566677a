/**
 * Searches everything a run wrote for secrets, the way an attacker with the report folder
 * would: every file, inside zip archives (traces), inside base64 zips embedded in HTML
 * (Playwright's HTML report) and base64 strings in JSON (inlined attachments).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isZip, readZip } from '../../src/secrets/zip.ts';

/**
 * The forms a secret can take in output: raw, URL-encoded, base64 (alone and inside a Basic
 * credential), JSON-escaped, hex, other letter case, and any part of it of PART characters from
 * its start or its end (what a cut across the secret would leave). Written independently of
 * src/secrets/scrub.ts, so the search does not share the scrubber's blind spots.
 */
export const PART = 10;
export function formsOf(secret: string): string[] {
  const basic = Buffer.from(`probe:${secret}`).toString('base64');
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      // "probe:" is 6 bytes (two whole base64 groups): the secret's encoding starts 8 characters in.
      basic.slice(8, -4),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('hex').toUpperCase(),
      secret.toUpperCase(),
      secret.toLowerCase(),
      secret.slice(0, PART),
      secret.slice(-PART),
    ]),
  ].filter((f) => f.length >= PART);
}

/** "where: form" for every occurrence; empty when the content is clean. */
export function searchBuffer(where: string, b: Buffer, secrets: readonly string[], depth = 0): string[] {
  const hits: string[] = [];
  for (const s of secrets) for (const f of formsOf(s)) if (b.includes(Buffer.from(f))) hits.push(`${where} holds a secret (${f === s ? 'raw' : f.length === PART ? 'a part of it' : 'encoded'})`);
  if (depth > 3) return hits;
  if (isZip(b)) {
    let entries: ReturnType<typeof readZip> = [];
    try {
      entries = readZip(b);
    } catch {
      hits.push(`${where} is an unreadable archive (cannot prove it clean)`);
    }
    for (const e of entries) hits.push(...searchBuffer(`${where}!${e.name}`, e.data, secrets, depth + 1));
    return hits;
  }
  const text = b.subarray(0, 8192).includes(0) ? '' : b.toString('utf8');
  for (const m of text.matchAll(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/g)) {
    hits.push(...searchBuffer(`${where}<embedded zip>`, Buffer.from(m[1]!, 'base64'), secrets, depth + 1));
  }
  for (const m of text.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)) {
    hits.push(...searchBuffer(`${where}<base64>`, Buffer.from(m[1]!, 'base64'), secrets, depth + 1));
  }
  return hits;
}

export function searchTree(dir: string, secrets: readonly string[]): { files: number; hits: string[] } {
  let files = 0;
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files += 1;
        hits.push(...searchBuffer(path.relative(dir, p), fs.readFileSync(p), secrets));
      }
    }
  };
  walk(dir);
  return { files, hits };
}

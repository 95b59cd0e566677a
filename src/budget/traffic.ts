/**
 * The run's traffic summary for runbook.json: what the checks sent through the request ledger
 * and what the latency probe sent, and every 429 either saw. Read from the run folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../../config/resolved.ts';
import { describePer, formatRate } from '../../config/request-spec.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { LEDGER_DIR, RequestLedger } from './ledger.ts';

export function trafficOf(c: Pick<ResolvedConfig, 'rateLimits' | 'security'>, runDir: string, probeCache: string): NonNullable<RunbookReport['traffic']> {
  const ledger = RequestLedger.summary(path.join(runDir, LEDGER_DIR)) ?? { sent: 0, rateLimited: {}, waitedMs: 0 };
  const rateLimited = { ...ledger.rateLimited };
  let probeSent = 0;
  try {
    const run = JSON.parse(fs.readFileSync(path.join(runDir, probeCache), 'utf8')) as { endpoints: { name: string; samples: { status: number | null }[] }[] };
    for (const e of run.endpoints) {
      probeSent += e.samples.length;
      const n = e.samples.filter((s) => s.status === 429).length;
      if (n) rateLimited[`${e.name} (latency probe)`] = n;
    }
  } catch {
    /* the probe did not run */
  }
  const limits = [
    ...(c.rateLimits.client ? [`CREDLINK_RATE_LIMIT=${formatRate(c.rateLimits.client)}`] : []),
    ...c.rateLimits.paths.map((p) => `${p.path}=${formatRate(p)}${describePer(p)}`),
    `failed attempts ${c.security.authFailLimit.max} per ${c.security.authFailLimit.windowS} s`,
  ];
  return { limits, sent: ledger.sent, probeSent, waitedMs: Math.round(ledger.waitedMs), rateLimited };
}

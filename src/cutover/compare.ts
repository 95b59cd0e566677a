/**
 * The cutover decision's parts, pure. Each returns reasons; a reason at SEV-2 or worse is a NO-GO.
 * - p95 delta: green vs blue, percent worse, graded by the runbook's degradation bands
 *   (> 50% SEV-1, 20-50% SEV-2, via src/triage/severity-policy.ts). A difference smaller than
 *   `minDeltaMs` is noise (a 1 ms p95 becoming 1.4 ms is "40% worse" and means nothing next to
 *   second-scale SLOs): it is reported as such, with the same numbers, never as "0% worse".
 * - error-rate delta: percentage points green minus blue against the error-rate alert thresholds
 *   (a relative change from a 0% base is undefined): > critical SEV-1, > warning SEV-2.
 * - sample sufficiency: fewer than the required samples, drops or 429s make the comparison
 *   inconclusive, which blocks (a cutover needs evidence, not its absence).
 * - /api/v1/status parity: same answer shape and values, except fields expected to differ.
 */
import type { CatalogEntry } from '../../runbooks/catalog.ts';
import type { Severity } from '../../runbooks/severity.ts';
import { decideSeverity } from '../triage/severity-policy.ts';
import type { EndpointPair } from './measure.ts';

export interface Reason {
  /** Which part of the procedure: suite, p95, error-rate, samples, status-parity, selector, public-url. */
  part: string;
  severity: Severity;
  text: string;
}

const BLUE_GREEN: CatalogEntry = { title: 'green is at least as good as blue', section: 'blue-green', severity: 'SEV-2' };

export interface CompareOptions {
  minSamples: number;
  minDeltaMs: number;
  errorRate: { warning: number; critical: number };
}

export function compareLatency(pairs: EndpointPair[], o: CompareOptions): Reason[] {
  const out: Reason[] = [];
  for (const { path, blue, green } of pairs) {
    for (const [colour, m] of [['blue', blue], ['green', green]] as const) {
      if (m.samples < o.minSamples || m.dropped > 0 || m.rateLimited > 0 || !m.summary) {
        out.push({
          part: 'samples',
          severity: 'SEV-2',
          text: `GET ${path} on ${colour}: inconclusive (${m.samples} samples of ${o.minSamples} needed, ${m.dropped} dropped, ${m.rateLimited} rate-limited)`,
        });
      }
    }
    if (!blue.summary || !green.summary) continue;
    const b = blue.summary.p95;
    const g = green.summary.p95;
    const percent = b > 0 ? ((g - b) / b) * 100 : 0;
    const apart = g - b;
    // One rounding for every number in the line, so the delta and the rule never disagree.
    const shown = Math.round(percent);
    const head = `GET ${path} p95 delta ${shown >= 0 ? '+' : ''}${shown}% (green ${g.toFixed(1)} ms vs blue ${b.toFixed(1)} ms, ${green.samples}/${blue.samples} samples)`;
    if (apart <= 0) out.push({ part: 'p95', severity: 'SEV-3', text: `${head}: green is not slower (SEV-3)` });
    else if (apart < o.minDeltaMs) {
      out.push({ part: 'p95', severity: 'SEV-3', text: `${head}: ${apart.toFixed(1)} ms apart, under the ${o.minDeltaMs} ms noise floor: not a degradation (SEV-3)` });
    } else {
      const d = decideSeverity(BLUE_GREEN, { kind: 'degradation', percent: shown });
      out.push({ part: 'p95', severity: d.severity, text: `${head}: ${d.rule}` });
    }
    const be = blue.errorRate ?? 0;
    const ge = green.errorRate ?? 0;
    const delta = ge - be;
    const sev: Severity = delta > o.errorRate.critical ? 'SEV-1' : delta > o.errorRate.warning ? 'SEV-2' : 'SEV-3';
    out.push({
      part: 'error-rate',
      severity: sev,
      text: `GET ${path} error-rate delta ${(delta * 100).toFixed(1)} points (green ${(ge * 100).toFixed(1)}% vs blue ${(be * 100).toFixed(1)}%; warning ${(o.errorRate.warning * 100).toFixed(0)}, critical ${(o.errorRate.critical * 100).toFixed(0)})`,
    });
  }
  return out;
}

/** Fields of the status document allowed to differ between colours. */
export const STATUS_MAY_DIFFER = ['version', 'uptime', 'environment', 'timestamp', 'commit', 'build', 'buildTime', 'hostname', 'pod'];

export interface StatusAnswer {
  status: number | null;
  body: unknown;
  error?: string;
}

export function compareStatus(path: string, blue: StatusAnswer, green: StatusAnswer): Reason[] {
  if (green.status !== 200) return [{ part: 'status-parity', severity: 'SEV-1', text: `GET ${path} on green answered ${green.status ?? green.error}` }];
  if (blue.status !== 200) return [{ part: 'status-parity', severity: 'SEV-2', text: `GET ${path} on blue answered ${blue.status ?? blue.error}: no baseline to compare with` }];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const b = obj(blue.body);
  const g = obj(green.body);
  if (!b || !g) return [{ part: 'status-parity', severity: 'SEV-2', text: `GET ${path}: not a JSON object on ${!g ? 'green' : 'blue'}` }];
  const diffs: string[] = [];
  for (const k of [...new Set([...Object.keys(b), ...Object.keys(g)])].sort()) {
    if (STATUS_MAY_DIFFER.includes(k)) continue;
    if (!(k in g)) diffs.push(`"${k}" missing on green`);
    else if (!(k in b)) diffs.push(`"${k}" only on green`);
    else if (JSON.stringify(b[k]) !== JSON.stringify(g[k])) diffs.push(`"${k}": blue ${JSON.stringify(b[k])} vs green ${JSON.stringify(g[k])}`);
  }
  if (diffs.length) return [{ part: 'status-parity', severity: 'SEV-2', text: `GET ${path} differs: ${diffs.slice(0, 5).join('; ')}` }];
  const versions = b.version !== g.version ? ` (versions ${JSON.stringify(b.version)} -> ${JSON.stringify(g.version)})` : '';
  return [{ part: 'status-parity', severity: 'SEV-3', text: `GET ${path} has parity${versions}` }];
}

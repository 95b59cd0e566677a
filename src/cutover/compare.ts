/**
 * The cutover decision's parts, pure. Each returns reasons; a reason at SEV-2 or worse is a NO-GO.
 * - latency and its tail, green vs blue, measured together: judged by src/cutover/judge.ts (a
 *   Mann-Whitney U test on the whole distribution, a ratio of p95s for the tail, each with its
 *   interval and p-value, graded by the runbook's bands: 20-50% worse SEV-2, more than 50% SEV-1);
 * - error rate: Fisher's exact test, the difference in points graded by the error-rate
 *   thresholds (a relative change from a 0% base is undefined): > critical SEV-1, > warning SEV-2;
 * - sample sufficiency: fewer than the required samples, drops or 429s make the comparison
 *   inconclusive, which blocks (a cutover needs evidence, not its absence);
 * - /api/v1/status parity: same answer shape and values, except fields expected to differ.
 */
import type { Severity } from '../../runbooks/severity.ts';
import { DEFAULT_JUDGE, describeMetric, judgeErrors, judgeLatency, type JudgeOptions, type MetricVerdict } from './judge.ts';
import type { EndpointPair } from './measure.ts';

export interface Reason {
  /** Which part of the procedure: suite, latency, tail, error-rate, samples, status-parity, selector, public-url. */
  part: string;
  severity: Severity;
  text: string;
  /** The statistical verdict behind a latency, tail or error-rate reason. */
  metric?: MetricVerdict;
}

export interface CompareOptions {
  minSamples: number;
  /** Latency differences under this many ms are jitter (judge.ts). */
  floorMs: number;
  errorRate: { warning: number; critical: number };
  /** This look's significance and confidence (src/cutover/sequential.ts); default: the judge's. */
  look?: Pick<JudgeOptions, 'alpha' | 'confidence'>;
}

/** Fewer answered requests than this on a colour: no latency comparison (the judge needs a distribution). */
const MIN_LATENCIES = 20;

export function compareLatency(pairs: EndpointPair[], o: CompareOptions): Reason[] {
  const out: Reason[] = [];
  const judge = { ...DEFAULT_JUDGE, ...o.look, floorMs: o.floorMs, errorRate: o.errorRate };
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
    const bl = blue.latenciesMs ?? [];
    const gl = green.latenciesMs ?? [];
    if (bl.length >= MIN_LATENCIES && gl.length >= MIN_LATENCIES) {
      for (const v of judgeLatency(bl, gl, judge)) out.push({ part: v.metric, severity: v.severity, text: `GET ${path} ${describeMetric(v)}`, metric: v });
    } else {
      out.push({ part: 'latency', severity: 'SEV-2', text: `GET ${path}: latency not compared: ${gl.length} answered requests on green, ${bl.length} on blue (at least ${MIN_LATENCIES} each)` });
    }
    if (blue.samples > 0 && green.samples > 0) {
      const v = judgeErrors({ errors: blue.errors, n: blue.samples }, { errors: green.errors, n: green.samples }, judge);
      out.push({ part: 'error-rate', severity: v.severity, text: `GET ${path} ${describeMetric(v)}`, metric: v });
    }
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

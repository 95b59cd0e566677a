/**
 * k6's end-of-test summary (what handleSummary receives, written by load/lib/common.ts) ->
 * runbook findings, purely. k6 exits 99 when a threshold failed; each failed threshold is looked
 * up in the same rule table that generated it (load/lib/thresholds.ts) and becomes a finding
 * with its check id, runbook section and severity (src/triage/severity-policy.ts).
 * A run with dropped iterations is invalid: its latency is a lower bound.
 */
import { z } from '../zod.ts';
import { thresholdRules, type LoadLimits, type ThresholdRule } from '../../load/lib/thresholds.ts';
import { catalog } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';
import { decideSeverity } from '../triage/severity-policy.ts';

/** The parts of k6's summary JSON we read (k6 >= 0.30 handleSummary data). */
export const k6SummarySchema = z.looseObject({
  scenario: z.string().optional(),
  metrics: z.record(
    z.string(),
    z.looseObject({
      values: z.record(z.string(), z.number()).optional(),
      thresholds: z.record(z.string(), z.looseObject({ ok: z.boolean() })).optional(),
    }),
  ),
});
export type K6Summary = z.infer<typeof k6SummarySchema>;

export interface LoadFinding {
  checkId: ThresholdRule['checkId'];
  section: { title: string; anchor: string };
  severity: Severity;
  rule: string;
  /** e.g. "http_req_duration{credlink_probe:yes} p(95)<2000 failed: p(95) = 2412 ms" */
  message: string;
  invalid: boolean;
}

const valueFor = (rule: ThresholdRule, values: Record<string, number> | undefined): number | undefined => {
  if (!values) return undefined;
  if (rule.expression.startsWith('p(95)')) return values['p(95)'];
  if (rule.expression.startsWith('rate')) return values.rate;
  if (rule.expression.startsWith('count')) return values.count;
  return undefined;
};

/** Failed thresholds -> findings; for a rule failing at both tiers only the critical one is kept. */
export function findingsFromSummary(summary: K6Summary, limits: LoadLimits): LoadFinding[] {
  const out: LoadFinding[] = [];
  for (const rule of thresholdRules(limits)) {
    const metric = summary.metrics[rule.metric];
    if (metric?.thresholds?.[rule.expression]?.ok !== false) continue;
    const value = valueFor(rule, metric.values);
    const entry = catalog[rule.checkId];
    const decision =
      rule.tier === 'invalid'
        ? decideSeverity(entry, { kind: 'gap', reason: `load run invalid: ${value ?? 'some'} iterations dropped (arrival rate not sustained)` })
        : decideSeverity(entry, { kind: 'threshold', tier: rule.tier, value: value ?? Number.NaN, limit: rule.limit });
    out.push({
      checkId: rule.checkId,
      section: { title: sections[entry.section].title, anchor: sections[entry.section].anchor },
      severity: decision.severity,
      rule: decision.rule,
      message: `${rule.metric} ${rule.expression} failed${value === undefined ? '' : `: ${rule.expression.split(/[<>]/)[0]} = ${Math.round(value * 1000) / 1000}`}`,
      invalid: rule.tier === 'invalid',
    });
  }
  return out.filter((f) => !(f.severity === 'SEV-2' && out.some((o) => o.checkId === f.checkId && !o.invalid && o.severity === 'SEV-1')));
}

/** What k6's exit code means for us: 0 pass, 99 thresholds failed, anything else k6 itself failed. */
export function k6Outcome(code: number): 'passed' | 'thresholds-failed' | 'k6-error' {
  if (code === 0) return 'passed';
  if (code === 99) return 'thresholds-failed';
  return 'k6-error';
}

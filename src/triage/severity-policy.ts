/**
 * The runbook's severity definitions as one pure function. A failing check's severity comes
 * from what it measured (its Impact), not only from its catalog label:
 * - every endpoint of a group down = complete outage -> SEV-0; more than half -> SEV-1; less -> SEV-2
 * - a share of units affected: all -> SEV-0, > 50% -> SEV-1, otherwise SEV-2
 * - performance worse by > 50% -> SEV-1, by 20-50% -> SEV-2, less -> SEV-3
 * - a critical alert threshold crossed -> SEV-1 (significant degradation), a warning one -> SEV-2;
 *   the rule text prints the measured value and the limit it crossed, in the threshold's unit
 * - intermittent failures of a one-shot request (failed, then answered) -> SEV-3 in "High Error
 *   Rate": a handful of requests cannot measure a rate against 1%/5%; perf.error-rate does
 * - security: breach/exposure -> SEV-0, vulnerability in production -> SEV-1, non-critical issue -> SEV-2,
 *   missing hardening -> SEV-3
 * - monitoring gap -> SEV-3
 * - a state the service reports about itself that nothing corroborates (unverified) -> SEV-2
 * - no impact recorded -> the catalog's default
 */
import type { CatalogEntry } from '../../runbooks/catalog.ts';
import type { SectionId } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';
import type { Impact } from './impact.ts';

export interface SeverityDecision {
  severity: Severity;
  /** Which runbook definition applied, in words for the report. */
  rule: string;
  /** The runbook section the impact belongs to when it is not the check's own (intermittent errors: High Error Rate). */
  section?: SectionId;
}

const RATIO_THRESHOLDS: readonly NonNullable<CatalogEntry['threshold']>[] = ['errorRate', 'memoryRatio', 'cpuRatio', 'dbConnectionsRatio'];

/** A threshold value in its unit: ratios as percentages (one decimal when under 10%), times in ms. */
export function formatThresholdValue(value: number, threshold: CatalogEntry['threshold']): string {
  if (threshold && RATIO_THRESHOLDS.includes(threshold)) {
    const p = value * 100;
    return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)}%`;
  }
  if (threshold === 'responseTimeMs' || threshold === 'databaseRoundTripMs') return `${Math.round(value)} ms`;
  return String(Math.round(value * 1000) / 1000);
}

export interface GroupState {
  down: number;
  total: number;
}

const pct = (f: number) => `${Math.round(f * 100)}%`;

function byShare(fraction: number, what: string): SeverityDecision {
  if (fraction >= 1) return { severity: 'SEV-0', rule: `${what}: complete outage (SEV-0)` };
  if (fraction > 0.5) return { severity: 'SEV-1', rule: `${what} (${pct(fraction)}): partial outage affecting more than half (SEV-1)` };
  return { severity: 'SEV-2', rule: `${what} (${pct(fraction)}): partial outage affecting less than half (SEV-2)` };
}

export function decideSeverity(entry: CatalogEntry, impact: Impact | undefined, group?: GroupState): SeverityDecision {
  switch (impact?.kind) {
    case 'unavailable':
      if (group && group.total > 0) return byShare(group.down / group.total, `${group.down} of ${group.total} health endpoints down`);
      return { severity: entry.severity, rule: `endpoint unavailable (catalog default ${entry.severity})` };
    case 'affected':
      return byShare(impact.fraction, `${pct(impact.fraction)} affected`);
    case 'threshold': {
      const measured = `${formatThresholdValue(impact.value, entry.threshold)}${impact.scope ? ` on ${impact.scope}` : ''} > ${formatThresholdValue(impact.limit, entry.threshold)}`;
      return impact.tier === 'critical'
        ? { severity: 'SEV-1', rule: `critical threshold crossed (${measured}): significant degradation (SEV-1)` }
        : { severity: 'SEV-2', rule: `warning threshold crossed (${measured}): minor degradation (SEV-2)` };
    }
    case 'intermittent':
      return {
        severity: 'SEV-3',
        rule: `intermittent errors: ${impact.failed} of ${impact.attempts} answers to ${impact.call} failed, then it answered; too few requests to measure an error rate against the thresholds (perf.error-rate does): not an outage (SEV-3)`,
        section: 'high-error-rate',
      };
    case 'degradation':
      if (impact.percent > 50) return { severity: 'SEV-1', rule: `performance ${Math.round(impact.percent)}% worse: more than 50% (SEV-1)` };
      if (impact.percent >= 20) return { severity: 'SEV-2', rule: `performance ${Math.round(impact.percent)}% worse: 20-50% (SEV-2)` };
      return { severity: 'SEV-3', rule: `performance ${Math.round(impact.percent)}% worse: under 20% (SEV-3)` };
    case 'security':
      return {
        breach: { severity: 'SEV-0', rule: 'security breach or data exposure (SEV-0)' },
        vulnerability: { severity: 'SEV-1', rule: 'security vulnerability in production (SEV-1)' },
        issue: { severity: 'SEV-2', rule: 'non-critical security issue (SEV-2)' },
        hardening: { severity: 'SEV-3', rule: 'hardening gap (SEV-3)' },
      }[impact.class] as SeverityDecision;
    case 'gap':
      return { severity: 'SEV-3', rule: `monitoring gap: ${impact.reason} (SEV-3)` };
    case 'unverified':
      return { severity: 'SEV-2', rule: `unverified: ${impact.claim}, and nothing corroborates it (${impact.corroborate} would): at most SEV-2` };
    default:
      return { severity: entry.severity, rule: `catalog default (${entry.severity})` };
  }
}

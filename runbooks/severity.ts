/**
 * The runbook's incident severity levels ("Incident Severity Levels"), in our words.
 * Plain data: importable from Node and from k6 scripts.
 */
export const SEVERITIES = ['SEV-0', 'SEV-1', 'SEV-2', 'SEV-3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityLevel {
  name: string;
  /** How soon a responder must act, as the runbook states it. */
  responseTime: string;
  /** Minutes until response is due (0 = immediately). */
  responseMinutes: number;
  /** What puts an incident at this level, paraphrased from the runbook. */
  criteria: readonly string[];
  /** Runbook heading and GitHub anchor of the definition. */
  section: { title: string; anchor: string };
}

export const severityLevels: Record<Severity, SeverityLevel> = {
  'SEV-0': {
    name: 'Critical',
    responseTime: 'immediate',
    responseMinutes: 0,
    criteria: [
      'the whole service is down',
      'a security breach or exposed data',
      'production data is corrupted',
      'revenue impact above $10,000 an hour',
    ],
    section: { title: 'SEV-0 - Critical (Immediate Response)', anchor: 'sev-0---critical-immediate-response' },
  },
  'SEV-1': {
    name: 'High',
    responseTime: 'within 15 minutes',
    responseMinutes: 15,
    criteria: [
      'the service is significantly degraded',
      'a partial outage hits more than half of the users',
      'a security vulnerability is live in production',
      'performance is more than 50% worse',
    ],
    section: { title: 'SEV-1 - High (Response within 15 minutes)', anchor: 'sev-1---high-response-within-15-minutes' },
  },
  'SEV-2': {
    name: 'Medium',
    responseTime: 'within 1 hour',
    responseMinutes: 60,
    criteria: [
      'the service is slightly degraded',
      'a partial outage hits fewer than half of the users',
      'performance is 20-50% worse',
      'a security issue that is not critical',
    ],
    section: { title: 'SEV-2 - Medium (Response within 1 hour)', anchor: 'sev-2---medium-response-within-1-hour' },
  },
  'SEV-3': {
    name: 'Low',
    responseTime: 'within 4 hours',
    responseMinutes: 240,
    criteria: ['minor issues', 'gaps in documentation or monitoring', 'room for performance improvement'],
    section: { title: 'SEV-3 - Low (Response within 4 hours)', anchor: 'sev-3---low-response-within-4-hours' },
  },
};

/** Lower rank = more severe. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** True when `s` is as severe as `threshold` or more. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) <= severityRank(threshold);
}

export function mostSevere(list: readonly Severity[]): Severity | null {
  let best: Severity | null = null;
  for (const s of list) if (best === null || severityRank(s) < severityRank(best)) best = s;
  return best;
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

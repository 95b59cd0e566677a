/**
 * CREDLINK_ALERT_ROUTES: which channels each severity pages, e.g.
 * `SEV-0=pagerduty+slack,SEV-1=pagerduty+slack,SEV-2=slack,SEV-3=none`.
 * A severity left out routes nowhere. Problems go to `problem` (one line each).
 */
import { SEVERITIES, isSeverity, type Severity } from '../runbooks/severity.ts';

export const ALERT_CHANNELS = ['pagerduty', 'slack'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export function parseAlertRoutes(spec: string, problem: (msg: string) => void): Record<Severity, AlertChannel[]> {
  const routes = Object.fromEntries(SEVERITIES.map((s) => [s, [] as AlertChannel[]])) as Record<Severity, AlertChannel[]>;
  for (const item of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [sev = '', channels = ''] = item.split('=', 2).map((x) => x.trim());
    if (!isSeverity(sev)) {
      problem(`item "${item}": "${sev}" is not a severity (SEV-0..SEV-3)`);
      continue;
    }
    for (const ch of channels.split('+').map((x) => x.trim()).filter(Boolean)) {
      if (ch === 'none') continue;
      if (!(ALERT_CHANNELS as readonly string[]).includes(ch)) {
        problem(`item "${item}": unknown channel "${ch}" (channels: ${ALERT_CHANNELS.join(', ')}, none)`);
        continue;
      }
      if (!routes[sev].includes(ch as AlertChannel)) routes[sev].push(ch as AlertChannel);
    }
  }
  return routes;
}

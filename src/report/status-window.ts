/**
 * The status page between runs: the daemon's status state is built from the run folders
 * (status-state.ts), but the continuous window pages within seconds and has no run folder. This
 * adds what the window has open: every incident the alert state holds open (confirmed, paged)
 * that no run lists, with the window's own account of it (root message, consequences, first
 * steps) when its latest judgement still sees it, and no report link (a window evaluation has
 * no report). The environment is then not "healthy", whatever its last run said. Pure.
 */
import { mostSevere } from '../../runbooks/severity.ts';
import type { IncidentState } from '../alerting/store.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import type { EnvironmentStatus, StatusIncident } from './status-model.ts';

export function withWindowIncidents(env: EnvironmentStatus, alertState: readonly IncidentState[], windowReport: RunbookReport | null): EnvironmentStatus {
  const listed = new Set(env.openIncidents.map((i) => i.id));
  const added: StatusIncident[] = [];
  for (const s of alertState) {
    if (s.env !== env.env || !s.open || listed.has(s.id) || s.severity === null) continue;
    const seen = windowReport?.incidents.find((i) => i.id === s.id);
    added.push({
      id: s.id,
      title: seen?.title ?? s.title,
      severity: s.severity,
      section: s.section,
      openedAt: s.openedAt ?? s.lastSeenAt ?? new Date(0).toISOString(),
      lastSeenAt: s.lastSeenAt ?? s.openedAt ?? new Date(0).toISOString(),
      rootCheckId: s.rootCheckId,
      message: seen ? `${seen.root.message} (the monitor's window)` : 'seen by the monitor\'s window (no run has reported it yet)',
      consequences: seen?.consequences ?? s.checks.filter((c) => c !== s.rootCheckId),
      immediateActions: seen?.immediateActions ?? [],
      runId: '',
    });
  }
  if (added.length === 0) return env;
  const openIncidents = [...added, ...env.openIncidents];
  return {
    ...env,
    state: env.state === 'healthy' || env.state === 'unknown' ? 'findings' : env.state,
    severity: mostSevere(openIncidents.map((i) => i.severity)),
    openIncidents,
  };
}

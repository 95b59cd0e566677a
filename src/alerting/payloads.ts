/**
 * What an alert says, and its Slack and PagerDuty (Events API v2) request bodies. Pure.
 * The unit is the incident (runbook.json `incidents[]`): one root cause, its severity, runbook
 * section, first steps, and the checks that failed as its consequences (listed, never paged alone).
 * Slack limits: header text <= 150 chars, section text <= 3000, field <= 2000, <= 50 blocks.
 * PagerDuty: severity critical|error|warning|info, summary <= 1024, dedup_key <= 255.
 * The PagerDuty routing key is not part of these bodies: the sender adds it (secrets never persist).
 */
import crypto from 'node:crypto';
import { severityLevels, type Severity } from '../../runbooks/severity.ts';
import type { Incident, RunbookReport } from '../reporter/schema.ts';
import { runbookLink } from '../runbook-md/link.ts';

export interface AlertContent {
  env: string;
  /** Where the monitor that saw it runs (runbook.json `location`); absent in reports from before locations. */
  location?: string;
  incidentId: string;
  dedupKey: string;
  /** The check that names the root cause. */
  rootCheckId: string;
  title: string;
  severity: Severity;
  severityRule: string;
  section: { title: string; anchor: string };
  /** Link of the runbook section (CREDLINK_RUNBOOK_URL); undefined when no runbook URL is configured: named, never a dead link. */
  sectionUrl: string | undefined;
  /** The root finding's message, first line. */
  message: string;
  immediateActions: { step: string; command: string; writes: boolean }[];
  /** Checks explained by the root cause: "<check id>: <title>". */
  consequences: string[];
  /** Evidence of the root finding: names with the start of each body. */
  evidence: string[];
  runId: string;
  baseUrl: string;
  /** Where the run's report is (a URL or a path on the daemon's host), when known. */
  report: string | null;
}

/** Alerts are read far from this machine: the runbook's web address only (src/runbook-md/link.ts). */
export function sectionUrl(runbookUrl: string | undefined, anchor: string): string | undefined {
  return runbookLink({ anchor }, { url: runbookUrl }, 'url');
}

/** " (seen from eu)", or nothing when the report does not say where. */
const seenFrom = (location: string | undefined) => (location ? ` (seen from ${location})` : '');

/** Consequences listed in one alert at most (the rest is counted). */
const MAX_CONSEQUENCES = 40;

export function contentOf(
  incident: Incident,
  report: RunbookReport,
  ctx: { dedupKey: string; runbookUrl?: string; report?: string | null },
): AlertContent {
  const root = report.findings.find((f) => f.incidentId === incident.id && f.role === 'root' && f.checkId === incident.root.checkId)
    ?? report.findings.find((f) => f.incidentId === incident.id);
  const titles = new Map(report.findings.filter((f) => f.incidentId === incident.id).map((f) => [f.checkId, f.title]));
  const consequences = incident.consequences.map((c) => `${c}: ${titles.get(c) ?? c}`);
  return {
    env: report.env,
    ...(report.location ? { location: report.location } : {}),
    incidentId: incident.id,
    dedupKey: ctx.dedupKey,
    rootCheckId: incident.root.checkId,
    title: incident.title,
    severity: incident.severity,
    severityRule: incident.severityRule,
    section: incident.section,
    sectionUrl: sectionUrl(ctx.runbookUrl, incident.section.anchor),
    message: incident.root.message.split('\n')[0] ?? '',
    immediateActions: incident.immediateActions,
    consequences: consequences.length > MAX_CONSEQUENCES
      ? [...consequences.slice(0, MAX_CONSEQUENCES), `and ${consequences.length - MAX_CONSEQUENCES} more (see the report)`]
      : consequences,
    evidence: (root?.evidence ?? []).map((e) => `${e.name}${e.body ? `: ${oneLine(e.body, 200)}` : e.path ? ` (${e.path})` : ''}`),
    runId: report.runId,
    baseUrl: report.baseUrl,
    report: ctx.report ?? null,
  };
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function oneLine(s: string, max: number): string {
  return truncate(s.replace(/\s+/g, ' ').trim(), max);
}

function bounded(key: string, hashed: () => string): string {
  return key.length <= 255 ? key : `credlink-checks/${hashed()}`;
}

/** The PagerDuty dedup_key of an incident: deterministic from its id, so a fresh process resolves what an earlier one triggered. */
export function dedupKey(incidentId: string): string {
  return bounded(`credlink-checks/${incidentId}`, () => crypto.createHash('sha256').update(incidentId).digest('hex'));
}

/** The dedup_key alert state version 1 used (one per check): kept for incidents opened before the upgrade. */
export function legacyDedupKey(env: string, checkId: string): string {
  return bounded(`credlink-checks/${env}/${checkId}`, () => crypto.createHash('sha256').update(`${env}\n${checkId}`).digest('hex'));
}

export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  'SEV-0': 'critical',
  'SEV-1': 'error',
  'SEV-2': 'warning',
  'SEV-3': 'info',
};

const isUrl = (s: string | null): s is string => s !== null && /^https?:\/\//.test(s);

export function pagerDutyTrigger(a: AlertContent, timestamp: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    event_action: 'trigger',
    dedup_key: a.dedupKey,
    payload: {
      summary: truncate(`[${a.severity}] ${a.env}${seenFrom(a.location)}: ${a.title}: ${a.message}`, 1024),
      source: `credlink-checks/${a.env}`,
      severity: PAGERDUTY_SEVERITY[a.severity],
      timestamp,
      component: a.rootCheckId,
      group: a.env,
      class: a.section.title,
      custom_details: {
        incident: a.incidentId,
        ...(a.location ? { location: a.location } : {}),
        severity: a.severity,
        severity_rule: a.severityRule,
        respond: severityLevels[a.severity].responseTime,
        runbook_section: a.sectionUrl ?? a.section.title,
        immediate_actions: a.immediateActions.map((s, i) => `${i + 1}. ${s.step}${s.writes ? ' [changes the system]' : ''}: ${s.command}`),
        root_check: a.rootCheckId,
        consequences: a.consequences,
        evidence: a.evidence,
        run_id: a.runId,
        ...(a.report ? { report: a.report } : {}),
        base_url: a.baseUrl,
      },
    },
    client: 'credlink-checks',
  };
  const links = [
    ...(a.sectionUrl && isUrl(a.sectionUrl) ? [{ href: a.sectionUrl, text: `Runbook: ${a.section.title}` }] : []),
    ...(isUrl(a.report) ? [{ href: a.report, text: `Report of run ${a.runId}` }] : []),
  ];
  if (links.length) body.links = links;
  return body;
}

export function pagerDutyResolve(dedup: string): Record<string, unknown> {
  return { event_action: 'resolve', dedup_key: dedup };
}

/** Slack mrkdwn: &, < and > must be escaped. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, text: string): string {
  return isUrl(url) ? `<${url}|${esc(text)}>` : `${esc(text)} (${esc(url)})`;
}

export function slackTrigger(a: AlertContent, escalated = false): Record<string, unknown> {
  const lvl = severityLevels[a.severity];
  const head = `${escalated ? 'ESCALATED ' : ''}${a.severity} ${a.env}: ${a.title}`;
  const actions = a.immediateActions.map((s, i) => `${i + 1}. ${esc(s.step)}${s.writes ? ' *[changes the system]*' : ''}: \`${esc(s.command)}\``);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(head, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: truncate(`*Severity*\n${a.severity} (${lvl.name}, respond ${lvl.responseTime})`, 2000) },
        { type: 'mrkdwn', text: truncate(`*Environment*\n${esc(a.env)}${a.location ? `, seen from ${esc(a.location)}` : ''}`, 2000) },
        { type: 'mrkdwn', text: truncate(`*Incident*\n\`${esc(a.incidentId)}\` (root check \`${esc(a.rootCheckId)}\`)`, 2000) },
        { type: 'mrkdwn', text: truncate(`*Runbook*\n${a.sectionUrl ? link(a.sectionUrl, a.section.title) : esc(a.section.title)}`, 2000) },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${esc(a.message)}\n_why ${a.severity}: ${esc(a.severityRule)}_`, 3000) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*First steps*\n${actions.join('\n') || 'none listed'}`, 3000) } },
  ];
  if (a.consequences.length) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`*Consequences* (${a.consequences.length}: explained by this incident, not paged on their own)\n${a.consequences.map((c) => `• ${esc(c)}`).join('\n')}`, 3000) },
    });
  }
  const report = a.report ? ` · report ${isUrl(a.report) ? link(a.report, a.runId) : esc(a.report)}` : '';
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Evidence: ${a.evidence.length ? esc(a.evidence.join(' | ')) : 'none'} · run ${esc(a.runId)}${report}`, 3000) }] });
  return { text: truncate(`${head}: ${a.section.title}`, 3000), blocks };
}

export interface ResolvedIncident {
  env: string;
  /** Where the run that no longer saw it ran. */
  location?: string;
  incidentId: string;
  title: string;
  section: { title: string; anchor: string };
  openedAt: string | null;
}

export function slackResolve(i: ResolvedIncident, resolvedAt: string): Record<string, unknown> {
  const head = `RESOLVED ${i.env}: ${i.title}`;
  return {
    text: truncate(head, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(head, 150) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(`Incident \`${esc(i.incidentId)}\` (${esc(i.section.title)}) is over on ${esc(i.env)}${esc(seenFrom(i.location))} (open since ${i.openedAt ?? 'unknown'}, resolved ${resolvedAt}).`, 3000),
        },
      },
    ],
  };
}

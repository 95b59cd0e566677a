/**
 * What an alert says, and its Slack and PagerDuty (Events API v2) request bodies. Pure.
 * Slack limits: header text <= 150 chars, section text <= 3000, field <= 2000, <= 50 blocks.
 * PagerDuty: severity critical|error|warning|info, summary <= 1024, dedup_key <= 255.
 * The PagerDuty routing key is not part of these bodies: the sender adds it (secrets never persist).
 */
import crypto from 'node:crypto';
import { severityLevels, type Severity } from '../../runbooks/severity.ts';
import type { Finding } from '../reporter/schema.ts';

export interface AlertContent {
  env: string;
  checkId: string;
  title: string;
  severity: Severity;
  severityRule: string;
  section: { title: string; anchor: string };
  /** Link (or RUNBOOK.md#anchor) of the runbook section. */
  sectionUrl: string;
  message: string;
  immediateActions: { step: string; command: string; writes: boolean }[];
  /** Evidence names with the start of each body. */
  evidence: string[];
  runId: string;
  baseUrl: string;
}

export function sectionUrl(runbookUrl: string | undefined, anchor: string): string {
  return `${runbookUrl ?? 'RUNBOOK.md'}#${anchor}`;
}

export function contentOf(f: Finding, ctx: { env: string; runId: string; baseUrl: string; runbookUrl?: string }): AlertContent {
  return {
    env: ctx.env,
    checkId: f.checkId,
    title: f.title,
    severity: f.severity,
    severityRule: f.severityRule,
    section: f.section,
    sectionUrl: sectionUrl(ctx.runbookUrl, f.section.anchor),
    message: f.message.split('\n')[0] ?? '',
    immediateActions: f.immediateActions,
    evidence: f.evidence.map((e) => `${e.name}${e.body ? `: ${oneLine(e.body, 200)}` : e.path ? ` (${e.path})` : ''}`),
    runId: ctx.runId,
    baseUrl: ctx.baseUrl,
  };
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function oneLine(s: string, max: number): string {
  return truncate(s.replace(/\s+/g, ' ').trim(), max);
}

/** Deterministic per (check, environment): a fresh process resolves what an earlier one triggered. */
export function dedupKey(env: string, checkId: string): string {
  const key = `credlink-checks/${env}/${checkId}`;
  return key.length <= 255 ? key : `credlink-checks/${crypto.createHash('sha256').update(`${env}\n${checkId}`).digest('hex')}`;
}

export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  'SEV-0': 'critical',
  'SEV-1': 'error',
  'SEV-2': 'warning',
  'SEV-3': 'info',
};

export function pagerDutyTrigger(a: AlertContent, timestamp: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    event_action: 'trigger',
    dedup_key: dedupKey(a.env, a.checkId),
    payload: {
      summary: truncate(`[${a.severity}] ${a.env}: ${a.title}: ${a.message}`, 1024),
      source: `credlink-checks/${a.env}`,
      severity: PAGERDUTY_SEVERITY[a.severity],
      timestamp,
      component: a.checkId,
      group: a.env,
      class: a.section.title,
      custom_details: {
        severity: a.severity,
        severity_rule: a.severityRule,
        respond: severityLevels[a.severity].responseTime,
        runbook_section: a.sectionUrl,
        immediate_actions: a.immediateActions.map((s, i) => `${i + 1}. ${s.step}${s.writes ? ' [changes the system]' : ''}: ${s.command}`),
        evidence: a.evidence,
        run_id: a.runId,
        base_url: a.baseUrl,
      },
    },
    client: 'credlink-checks',
  };
  if (/^https?:\/\//.test(a.sectionUrl)) body.links = [{ href: a.sectionUrl, text: `Runbook: ${a.section.title}` }];
  return body;
}

export function pagerDutyResolve(env: string, checkId: string): Record<string, unknown> {
  return { event_action: 'resolve', dedup_key: dedupKey(env, checkId) };
}

/** Slack mrkdwn: &, < and > must be escaped. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, text: string): string {
  return /^https?:\/\//.test(url) ? `<${url}|${esc(text)}>` : `${esc(text)} (${esc(url)})`;
}

export function slackTrigger(a: AlertContent, escalated = false): Record<string, unknown> {
  const lvl = severityLevels[a.severity];
  const head = `${escalated ? 'ESCALATED ' : ''}${a.severity} ${a.env}: ${a.section.title}`;
  const actions = a.immediateActions.map((s, i) => `${i + 1}. ${esc(s.step)}${s.writes ? ' *[changes the system]*' : ''}: \`${esc(s.command)}\``);
  return {
    text: truncate(`${head}: ${a.title}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(head, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: truncate(`*Severity*\n${a.severity} (${lvl.name}, respond ${lvl.responseTime})`, 2000) },
          { type: 'mrkdwn', text: truncate(`*Environment*\n${esc(a.env)}`, 2000) },
          { type: 'mrkdwn', text: truncate(`*Check*\n\`${esc(a.checkId)}\` ${esc(a.title)}`, 2000) },
          { type: 'mrkdwn', text: truncate(`*Runbook*\n${link(a.sectionUrl, a.section.title)}`, 2000) },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`${esc(a.message)}\n_why ${a.severity}: ${esc(a.severityRule)}_`, 3000) } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Immediate actions*\n${actions.join('\n') || 'none listed'}`, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Evidence: ${a.evidence.length ? esc(a.evidence.join(' | ')) : 'none'} · run ${esc(a.runId)}`, 3000) }] },
    ],
  };
}

export function slackResolve(env: string, checkId: string, openedAt: string | null, resolvedAt: string): Record<string, unknown> {
  const head = `RESOLVED ${env}: ${checkId}`;
  return {
    text: head,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(head, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`\`${esc(checkId)}\` passes again on ${esc(env)} (open since ${openedAt ?? 'unknown'}, resolved ${resolvedAt}).`, 3000) } },
    ],
  };
}

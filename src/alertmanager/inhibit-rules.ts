/**
 * Alertmanager inhibit rules generated from the correlation data (runbooks/dependencies.ts), so
 * the Alertmanager path and the daemon's own incidents cannot drift apart: the shipped
 * deploy/alertmanager/alertmanager.yml holds exactly inhibitRules() between its markers
 * (tests/unit/alertmanager-config.test.ts; `npm run alertmanager:inhibit` rewrites them). Pure.
 *
 * Within one run the daemon already folds consequences into their root cause's incident. Across
 * locations it cannot: a location whose run saw only part of an outage (say only the error rate)
 * has an incident of its own. Alertmanager sees alerts, with labels, not findings, so:
 * - "own": an incident alert inhibits the check alerts of its own checks (equal env, incident);
 * - "severity": a more severe alert of one incident inhibits a less severe one (locations that
 *   triggered it at different severities);
 * - one rule per dependency rule: while its incident fires, the incidents that its targets
 *   could have formed elsewhere are inhibited (equal env). Which keys those are follows from the
 *   same matchers the incident stage evaluates (src/incidents/match.ts), tried on every catalog
 *   check, impact and class of answer: a later rule, symptom group or lone check each of whose
 *   checks could have seen what the rule explains. Only later ones: the evaluation order is the
 *   precedence; a key formed by rules on both sides of another one (database-unreachable, before
 *   and after database-saturated) and that one do not inhibit each other, so two incidents are
 *   never both silent. Rules partitioned per route (`equal: ['route']`) have none: the
 *   alerts do not carry the route of every check.
 */
import { catalog } from '../../runbooks/catalog.ts';
import { dependencyRules, symptomGroups, type FindingMatcher } from '../../runbooks/dependencies.ts';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { RESPONSE_CLASSES, type ResponseClass } from '../http/response-class.ts';
import { coversCheck, matches, systemOf, type Labelled } from '../incidents/match.ts';
import type { Impact } from '../triage/impact.ts';

export const INCIDENT_ALERT = 'CredlinkIncident';
export const CHECK_ALERT = 'CredlinkCheckFailing';

export interface InhibitRule {
  /** Why, one line: becomes the comment above the rule in the shipped YAML. */
  comment: string;
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

/** A matcher string as Alertmanager parses it: the value double-quoted, \ and " escaped. */
function matcher(label: string, op: '=' | '=~', value: string): string {
  return `${label}${op}"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An incident key as a regular expression: `{route}` stands for any route. */
const keyPattern = (key: string) => key.split('{route}').map(reEscape).join('.+');

/** One finding per concrete impact a check can record (src/triage/impact.ts). */
const IMPACTS: (Impact | undefined)[] = [
  undefined,
  { kind: 'unavailable', status: 503 },
  { kind: 'affected', fraction: 0.5 },
  { kind: 'threshold', tier: 'warning', value: 1, limit: 1 },
  { kind: 'threshold', tier: 'critical', value: 1, limit: 1 },
  { kind: 'intermittent', call: 'GET /', failed: 1, attempts: 3 },
  { kind: 'degradation', percent: 30 },
  { kind: 'gap', reason: 'x' },
  { kind: 'gap', reason: 'x', cause: 'rate-limit' },
  { kind: 'unverified', claim: 'x', corroborate: 'y' },
  ...(['breach', 'vulnerability', 'issue', 'hardening'] as const).map((c): Impact => ({ kind: 'security', class: c })),
];

/** Sets of answer classes: none, one, two. A matcher asks for "one of" and "none of": two suffice to satisfy both sides. */
const CLASS_SETS: ResponseClass[][] = [[], ...RESPONSE_CLASSES.map((c) => [c]), ...RESPONSE_CLASSES.flatMap((a, i) => RESPONSE_CLASSES.slice(i + 1).map((b) => [a, b]))];

const AUTOMATED = Object.keys(catalog).filter((id) => systemOf(id) !== undefined);

/** Every kind of finding a check can produce, as the matchers see it: its impacts times its classes of answers. */
const findingsOf = (checkId: string): Labelled[] =>
  IMPACTS.flatMap((impact) => CLASS_SETS.map((classes) => ({ checkId, impact, responses: classes.map((c) => ({ call: 'GET /', status: null, class: c })) })));
const FINDINGS = new Map(AUTOMATED.map((id) => [id, findingsOf(id)]));

/** Which of a check's findings a matcher matches, computed once per matcher and check. */
const matched = new Map<string, Uint8Array>();
function hits(m: FindingMatcher, id: string): Uint8Array {
  const k = `${id} ${JSON.stringify(m)}`;
  let h = matched.get(k);
  if (!h) {
    h = Uint8Array.from(FINDINGS.get(id)!, (f) => (matches(m, f) ? 1 : 0));
    matched.set(k, h);
  }
  return h;
}

/** Could one finding of check `id` match one of `a` and one of `b`? */
function overlap(a: readonly FindingMatcher[], b: readonly FindingMatcher[], id: string): boolean {
  const ha = a.map((m) => hits(m, id));
  const hb = b.map((m) => hits(m, id));
  const n = FINDINGS.get(id)!.length;
  for (let i = 0; i < n; i++) if (ha.some((h) => h[i]) && hb.some((h) => h[i])) return true;
  return false;
}

interface Former {
  key: string;
  /** What its findings can be. */
  members: readonly FindingMatcher[];
}

/** Everything that forms incidents, in the order the incident stage evaluates it. */
function formers(): { rule?: (typeof dependencyRules)[number]; former: Former }[] {
  return [
    ...dependencyRules.map((rule) => {
      const { quorum: _quorum, min: _min, ...source } = rule.source;
      return { rule, former: { key: rule.incident.key, members: [source] } };
    }),
    ...symptomGroups.map((g) => ({ former: { key: g.incident.key, members: g.members } })),
    ...AUTOMATED.map((id) => ({ former: { key: `check:${id}`, members: [{ checks: [id] }] } })),
  ];
}

/**
 * Could `targets` explain an incident formed by `former`, whichever of its checks formed it?
 * Every check that can form it must be one the targets could explain (with the same impact and
 * classes of answers): a rule that explains only `health.database-reported` does not explain
 * every route that fails, though that route could be the health endpoint's.
 */
function explains(targets: readonly FindingMatcher[], former: Former): boolean {
  const ids = AUTOMATED.filter((id) => former.members.some((m) => coversCheck(m, id)));
  return ids.length > 0 && ids.every((id) => overlap(targets, former.members, id));
}

/** Incident keys that the dependency rule at `index` explains, when formed at another location. */
function explainedKeys(index: number): string[] {
  const all = formers();
  const rule = all[index]!.rule!;
  const keys = new Set<string>();
  for (const { former } of all.slice(index + 1)) {
    if (former.key === rule.incident.key || keys.has(former.key)) continue;
    if (explains(rule.targets, former)) keys.add(former.key);
  }
  return [...keys];
}

export function inhibitRules(): InhibitRule[] {
  const out: InhibitRule[] = [
    {
      comment: 'own: an incident speaks for its checks (root and consequences), which never page on their own',
      source_matchers: [matcher('alertname', '=', INCIDENT_ALERT)],
      target_matchers: [matcher('alertname', '=', CHECK_ALERT)],
      equal: ['env', 'incident'],
    },
  ];
  SEVERITIES.slice(0, -1).forEach((sev, i) => {
    out.push({
      comment: `severity: locations that triggered one incident at different severities: ${sev} speaks`,
      source_matchers: [matcher('alertname', '=', INCIDENT_ALERT), matcher('severity', '=', sev)],
      target_matchers: [matcher('alertname', '=', INCIDENT_ALERT), matcher('severity', '=~', SEVERITIES.slice(i + 1).join('|'))],
      equal: ['env', 'incident'],
    });
  });
  const byKey = new Map<string, { names: string[]; keys: Set<string> }>();
  dependencyRules.forEach((rule, index) => {
    if (rule.equal?.includes('route')) return;
    const entry = byKey.get(rule.incident.key) ?? { names: [], keys: new Set<string>() };
    entry.names.push(rule.name);
    for (const k of explainedKeys(index)) entry.keys.add(k);
    byKey.set(rule.incident.key, entry);
  });
  // One key formed by rules on both sides of another (database-unreachable: before and after
  // database-saturated) would inhibit it and be inhibited by it: neither silences the other then.
  for (const [key, { keys }] of byKey) for (const other of keys) if (byKey.get(other)?.keys.has(key)) (keys.delete(other), byKey.get(other)!.keys.delete(key));
  for (const [key, { names, keys }] of byKey) {
    if (!keys.size) continue;
    out.push({
      comment: `dependency ${names.join(' + ')}: while ${key} fires, what it explains elsewhere does not page`,
      source_matchers: [matcher('alertname', '=', INCIDENT_ALERT), matcher('incident_key', '=', key)],
      target_matchers: [matcher('alertname', '=~', `${INCIDENT_ALERT}|${CHECK_ALERT}`), matcher('incident_key', '=~', [...keys].map(keyPattern).join('|'))],
      equal: ['env'],
    });
  }
  return out;
}

export const BEGIN_MARKER = '# BEGIN inhibit rules generated from runbooks/dependencies.ts by src/alertmanager/inhibit-rules.ts: npm run alertmanager:inhibit';
export const END_MARKER = '# END generated inhibit rules';

/** The rules as the YAML lines between the markers (two-space indent under `inhibit_rules:`). */
export function renderInhibitRules(rules: readonly InhibitRule[]): string {
  const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;
  return rules
    .map((r) => [`  # ${r.comment}`, `  - source_matchers: ${list(r.source_matchers)}`, `    target_matchers: ${list(r.target_matchers)}`, `    equal: [${r.equal.join(', ')}]`].join('\n'))
    .join('\n');
}

/** The file with the block between the markers replaced; throws when the markers are missing. */
export function withInhibitRules(yamlText: string, rules: readonly InhibitRule[] = inhibitRules()): string {
  const a = yamlText.indexOf(BEGIN_MARKER);
  const b = yamlText.indexOf(END_MARKER);
  if (a < 0 || b < a) throw new Error(`the markers "${BEGIN_MARKER}" and "${END_MARKER}" are missing`);
  return `${yamlText.slice(0, a)}${BEGIN_MARKER}\n${renderInhibitRules(rules)}\n  ${yamlText.slice(b)}`;
}

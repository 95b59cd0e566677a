/**
 * Judge every answer: what any check or probe received that disclosed the service's insides (a
 * stack trace, an internal path, a credential, a version banner; src/security/disclosure.ts) is
 * recorded per check as "disclosure" annotations (checks/fixtures.ts). Here, once per run, they
 * become one finding of security.error-disclosure: one line per kind with the routes it was
 * seen on, whichever check saw it, and whether or not that check was selected. Pure.
 */
import { z } from '../zod.ts';
import { catalog } from '../../runbooks/catalog.ts';
import { DISCLOSURE_ANNOTATION, type DisclosureSeen } from '../http/answers.ts';
import { disclosureClass, type DisclosureKind } from '../security/disclosure.ts';
import { worst } from '../security/verdict.ts';
import { impactSchema, type Impact } from '../triage/impact.ts';
import type { TestRecord } from './schema.ts';

export const DISCLOSURE_CHECK = 'security.error-disclosure';
/** Routes listed per kind (the evidence holds them all, up to the recorder's bound). */
const ROUTES_SHOWN = 6;

const seenSchema = z.object({
  kind: z.enum(['stack trace', 'internal path', 'credential', 'version banner']),
  call: z.string(),
  status: z.number().nullable(),
  excerpt: z.string(),
});

export interface DisclosureSummary {
  kind: DisclosureKind;
  /** The first excerpt seen (scrubbed; for a credential only its kind). */
  excerpt: string;
  /** "POST /api/v1/sign (500)", each once, in the order seen. */
  routes: string[];
}

const ann = (t: TestRecord, type: string) => t.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
const checkIdOf = (t: TestRecord) => ann(t, 'runbook')[0];

/** Every disclosure of the run, per kind, with the routes it was seen on. */
export function collectDisclosures(tests: readonly TestRecord[]): DisclosureSummary[] {
  const byKind = new Map<DisclosureKind, DisclosureSummary>();
  for (const t of tests) {
    for (const raw of ann(t, DISCLOSURE_ANNOTATION)) {
      let d: DisclosureSeen;
      try {
        const parsed = seenSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) continue;
        d = parsed.data;
      } catch {
        continue;
      }
      const route = `${d.call} (${d.status ?? 'no answer'})`;
      const s = byKind.get(d.kind) ?? { kind: d.kind, excerpt: d.excerpt, routes: [] };
      if (!s.routes.includes(route)) s.routes.push(route);
      byKind.set(d.kind, s);
    }
  }
  const order: DisclosureKind[] = ['credential', 'stack trace', 'internal path', 'version banner'];
  return order.flatMap((k) => (byKind.has(k) ? [byKind.get(k)!] : []));
}

const article = (k: DisclosureKind) => (k === 'internal path' ? 'an' : 'a');

/** "a stack trace ("at x (/srv/a.js:1:2)") in answers to GET /x (500), POST /y (500)". */
export function describeDisclosure(s: DisclosureSummary): string {
  const shown = s.routes.slice(0, ROUTES_SHOWN).join(', ');
  const more = s.routes.length > ROUTES_SHOWN ? ` and ${s.routes.length - ROUTES_SHOWN} more` : '';
  const what = s.kind === 'credential' ? `a credential (${s.excerpt})` : `${article(s.kind)} ${s.kind} ("${s.excerpt}")`;
  return `${what} in answers to ${shown}${more}`;
}

const isFailed = (t: TestRecord) => t.outcome === 'unexpected' && (t.status === 'failed' || t.status === 'timedOut');

/**
 * The run's records with the disclosures judged: security.error-disclosure fails (or, when it
 * failed on its own, also names what other answers disclosed) whenever any answer disclosed
 * something; a run that did not select it gets the finding all the same.
 */
export function withDisclosures(tests: readonly TestRecord[], env: string): TestRecord[] {
  const found = collectDisclosures(tests);
  if (!found.length) return [...tests];
  const at = tests.findIndex((t) => checkIdOf(t) === DISCLOSURE_CHECK);
  const own = at >= 0 ? tests[at]! : undefined;
  const lines = found.map(describeDisclosure);
  const cls = worst(found.map((s) => ({ case: s.kind, status: null, problem: s.kind, class: disclosureClass[s.kind] })))!;
  const evidence = { name: 'what answers disclosed, by kind (every answer of the run, any check or probe)', contentType: 'application/json', body: JSON.stringify(found, null, 2) };
  let record: TestRecord;
  if (own && isFailed(own)) {
    // It found disclosures on its own: what only other checks' answers showed is added to its finding.
    const others = collectDisclosures(tests.filter((t) => t !== own)).flatMap((o) => {
      const mine = found.find((f) => f.kind === o.kind);
      const ownRoutes = collectDisclosures([own]).find((f) => f.kind === o.kind)?.routes ?? [];
      const routes = o.routes.filter((r) => !ownRoutes.includes(r));
      return mine && routes.length ? [{ ...o, routes }] : [];
    });
    if (!others.length) return [...tests];
    const ownImpact = parseImpact(ann(own, 'impact').at(-1));
    const ownClass = ownImpact?.kind === 'security' ? ownImpact.class : undefined;
    const otherClass = worst(others.map((o) => ({ case: o.kind, status: null, class: disclosureClass[o.kind] })))!;
    const merged = worst([{ case: 'others', status: null, class: otherClass }, ...(ownClass ? [{ case: 'designated', status: null, class: ownClass }] : [])])!;
    const actual = ann(own, 'actual').at(-1) ?? '';
    record = {
      ...own,
      annotations: [...own.annotations, { type: 'actual', description: `${actual}; other answers of the run: ${others.map(describeDisclosure).join('; ')}` }, { type: 'impact', description: JSON.stringify({ kind: 'security', class: merged } satisfies Impact) }],
      evidence: [...own.evidence, evidence],
    };
  } else {
    const expected = 'DISCLOSURE no answer carries a stack trace, an internal path, a credential or a version banner';
    const actual = lines.join('; ');
    record = {
      title: own?.title ?? catalog[DISCLOSURE_CHECK].title,
      file: own?.file,
      // The check's own answers stay its own: only what identifies it is kept.
      annotations: [
        ...(own?.annotations ?? [{ type: 'runbook', description: DISCLOSURE_CHECK }]).filter((a) => a.type === 'runbook' || a.type.startsWith('allure.')),
        { type: 'expected', description: expected },
        { type: 'actual', description: actual },
        { type: 'impact', description: JSON.stringify({ kind: 'security', class: cls } satisfies Impact) },
      ],
      status: 'failed',
      outcome: 'unexpected',
      retries: own?.retries ?? 0,
      durationMs: own?.durationMs ?? 0,
      errors: [`[DISCLOSURE] (${actual}) no disclosure on any answer of the run (${env})`],
      evidence: [evidence],
    };
  }
  const out = [...tests];
  if (at >= 0) out[at] = record;
  else out.push(record);
  return out;
}

function parseImpact(raw: string | undefined): Impact | undefined {
  if (!raw) return undefined;
  try {
    const p = impactSchema.safeParse(JSON.parse(raw));
    return p.success ? p.data : undefined;
  } catch {
    return undefined;
  }
}

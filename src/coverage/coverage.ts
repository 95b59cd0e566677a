/**
 * Runbook coverage: which runbook sections the catalog's checks cover, which catalog entries
 * point at sections the runbook no longer has (drift), which checkable sections have no check.
 *
 * "Checkable" (the rule, written down): a level-3 section in a chapter about health checks,
 * incidents, performance, maintenance or monitoring (chapter title matches CHECKABLE_CHAPTER),
 * whose body holds something a machine can run or compare: a fenced code block, inline code, or
 * a threshold such as "> 5%". Severity definitions, escalation, contacts and the quick-reference
 * duplicates are not checkable; neither is a section of prose only (e.g. "Dashboard Checks").
 *
 * A section is covered by a catalog entry whose `section` or `procedure` anchor is the section's
 * anchor. Entries marked `notAutomatable` make a section "manual", not covered.
 */
import type { Heading } from '../runbook-md/parse.ts';

export const CHECKABLE_CHAPTER = /\bhealth check|\bincidents\b|\bperformance\b|\bmaintenance\b|\bmonitoring\b/i;

/** A catalog entry reduced to what coverage needs. */
export interface CoverageEntry {
  id: string;
  /** Anchors the entry points a responder to, by field. */
  anchors: { field: 'section' | 'procedure'; anchor: string; title: string }[];
  automated: boolean;
}

export type SectionStatus = 'covered' | 'manual' | 'uncovered' | 'not-checkable';

export interface SectionCoverage {
  level: number;
  title: string;
  anchor: string;
  line: number;
  chapter?: string;
  checkable: boolean;
  status: SectionStatus;
  /** Automated checks pointing at the section. */
  checks: string[];
  /** Catalog entries a person performs (notAutomatable). */
  manual: string[];
}

export interface Drift {
  checkId: string;
  field: 'section' | 'procedure';
  anchor: string;
  title: string;
  /** The runbook heading that looks most like the missing one, if any. */
  didYouMean?: { title: string; anchor: string };
}

export interface CoverageReport {
  sections: SectionCoverage[];
  drift: Drift[];
  checkable: number;
  covered: number;
  /** covered / checkable in percent (100 when nothing is checkable). */
  percent: number;
}

export function isCheckable(h: Heading): boolean {
  return h.level === 3 && CHECKABLE_CHAPTER.test(h.chapter ?? '') && (h.hasFencedCode || h.hasInlineCode || h.hasThreshold);
}

const STOP = new Set(['incident', 'incidents', 'procedures', 'and', 'the']);
/** Word stems (first 6 letters), so "connection" and "connectivity" meet. */
const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !STOP.has(w)).map((w) => w.slice(0, 6)));

function closest(title: string, headings: readonly Heading[]): Heading | undefined {
  const want = words(title);
  let best: { h: Heading; score: number } | undefined;
  for (const h of headings) {
    const have = words(h.title);
    const common = [...want].filter((w) => have.has(w)).length;
    const score = common / Math.max(1, new Set([...want, ...have]).size);
    if (common > 0 && (!best || score > best.score)) best = { h, score };
  }
  return best && best.score >= 0.3 ? best.h : undefined;
}

export function computeCoverage(headings: readonly Heading[], entries: readonly CoverageEntry[]): CoverageReport {
  const byAnchor = new Map(headings.map((h) => [h.anchor, h]));
  const sections: SectionCoverage[] = headings
    .filter((h) => h.level >= 2)
    .map((h) => ({ level: h.level, title: h.title, anchor: h.anchor, line: h.line, chapter: h.chapter, checkable: isCheckable(h), status: 'not-checkable', checks: [], manual: [] }));
  const sectionOf = new Map(sections.map((s) => [s.anchor, s]));
  const drift: Drift[] = [];
  for (const e of entries) {
    for (const a of e.anchors) {
      const s = sectionOf.get(a.anchor);
      if (!s || !byAnchor.has(a.anchor)) {
        const near = closest(a.title, headings.filter((h) => h.level >= 2));
        drift.push({ checkId: e.id, field: a.field, anchor: a.anchor, title: a.title, didYouMean: near ? { title: near.title, anchor: near.anchor } : undefined });
        continue;
      }
      const list = e.automated ? s.checks : s.manual;
      if (!list.includes(e.id)) list.push(e.id);
    }
  }
  for (const s of sections) {
    if (s.checks.length) s.status = 'covered';
    else if (s.manual.length) s.status = 'manual';
    else s.status = s.checkable ? 'uncovered' : 'not-checkable';
  }
  const checkable = sections.filter((s) => s.checkable);
  const covered = checkable.filter((s) => s.status === 'covered').length;
  return { sections, drift, checkable: checkable.length, covered, percent: checkable.length ? Math.round((covered / checkable.length) * 1000) / 10 : 100 };
}

/**
 * How a catalog entry shows up in Allure. Declared statically (test annotations of the form
 * `allure.label.<name>`, which allure-playwright turns into labels even for skipped tests):
 *
 * - `severity`: the runbook severity in Allure's words: SEV-0 blocker, SEV-1 critical,
 *   SEV-2 normal, SEV-3 minor (the catalog default; src/reporter/allure-post.ts replaces it
 *   with the computed severity of a finding after the run);
 * - `feature`: the runbook section title (Allure's "Behaviors" tab groups by it);
 * - `story`: the check id; `runbook_anchor`: the section's GitHub anchor, which
 *   `runbookLinkListener` turns into a link `RUNBOOK.md#<anchor>`.
 */
import type { CatalogEntry } from '../../runbooks/catalog.ts';
import type { RunbookSection } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';

export const ALLURE_SEVERITY: Record<Severity, 'blocker' | 'critical' | 'normal' | 'minor'> = {
  'SEV-0': 'blocker',
  'SEV-1': 'critical',
  'SEV-2': 'normal',
  'SEV-3': 'minor',
};

/** The runbook file the links point to (relative: reports travel with the runbook). */
export const RUNBOOK_FILE = 'RUNBOOK.md';
export const ANCHOR_LABEL = 'runbook_anchor';

export function runbookUrl(anchor: string): string {
  return `${RUNBOOK_FILE}#${anchor}`;
}

export function allureAnnotations(id: string, e: Pick<CatalogEntry, 'severity'>, section: Pick<RunbookSection, 'title' | 'anchor'>): { type: string; description: string }[] {
  return [
    { type: 'allure.label.severity', description: ALLURE_SEVERITY[e.severity] },
    { type: 'allure.label.sev', description: e.severity },
    { type: 'allure.label.feature', description: section.title },
    { type: 'allure.label.story', description: id },
    { type: `allure.label.${ANCHOR_LABEL}`, description: section.anchor },
  ];
}

interface AllureLinkable {
  labels: { name: string; value: string }[];
  links: { type?: string; name?: string; url: string }[];
}

/** allure-js lifecycle listener: adds the runbook section link before a result is written. */
export const runbookLinkListener = {
  beforeTestResultWrite(result: AllureLinkable): void {
    const anchor = result.labels.find((l) => l.name === ANCHOR_LABEL)?.value;
    const title = result.labels.find((l) => l.name === 'feature')?.value;
    if (!anchor || result.links.some((l) => l.type === 'runbook')) return;
    result.links.push({ type: 'runbook', name: `Runbook: ${title ?? anchor}`, url: runbookUrl(anchor) });
  },
};

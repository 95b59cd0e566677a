/**
 * How a catalog entry shows up in Allure. Declared statically (test annotations of the form
 * `allure.label.<name>`, which allure-playwright turns into labels even for skipped tests):
 *
 * - `severity`: the runbook severity in Allure's words: SEV-0 blocker, SEV-1 critical,
 *   SEV-2 normal, SEV-3 minor (the catalog default; src/reporter/allure-post.ts replaces it
 *   with the computed severity of a finding after the run);
 * - `feature`: the runbook section title (Allure's "Behaviors" tab groups by it);
 * - `story`: the check id; `runbook_anchor`: the section's GitHub anchor, which
 *   src/report/allure-results.ts turns into a `runbook` link after the run (when the runbook's
 *   location is configured: src/runbook-md/link.ts).
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

export const ANCHOR_LABEL = 'runbook_anchor';

export function allureAnnotations(id: string, e: Pick<CatalogEntry, 'severity'>, section: Pick<RunbookSection, 'title' | 'anchor'>): { type: string; description: string }[] {
  return [
    { type: 'allure.label.severity', description: ALLURE_SEVERITY[e.severity] },
    { type: 'allure.label.sev', description: e.severity },
    { type: 'allure.label.feature', description: section.title },
    { type: 'allure.label.story', description: id },
    { type: `allure.label.${ANCHOR_LABEL}`, description: section.anchor },
  ];
}

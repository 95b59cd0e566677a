/**
 * Links to runbook sections, one rule for every output. The runbook is configured once
 * (CREDLINK_RUNBOOK_URL and/or CREDLINK_RUNBOOK_PATH, config/load.ts):
 * - `url`: the team's copy on the web; outputs read elsewhere (alerts, JUnit, runbook.md, Allure,
 *   the GitHub job summary) link `<url>#<anchor>`;
 * - `living`: where the rendered living runbook is reachable from the output being written
 *   (`runbook.html` beside index.html, `/runbook` on the daemon); exists only when a local path
 *   is configured, because only then is there a document to render;
 * - neither: `undefined`, and the output names the section without a link. Never a dead link
 *   such as a bare `RUNBOOK.md#...` relative to wherever a file happens to be opened.
 */

export interface RunbookSource {
  /** Web address of the runbook document, without a fragment. */
  url?: string;
  /** Absolute path of the runbook markdown file. */
  path?: string;
}

export interface RunbookLinks {
  url?: string;
  /** The living runbook's address from where the output is read (relative or absolute). */
  living?: string;
}

/** The reference of a runbook section: its title and GitHub anchor. */
export interface SectionRef {
  title: string;
  anchor: string;
}

/**
 * The link to a section, or undefined when the runbook's location is not configured.
 * `prefer`: 'url' for outputs that travel (a ticket, CI, a page), 'living' for pages read next to
 * the living runbook (index.html, the status page), which then show the checks' current state.
 */
export function runbookLink(section: Pick<SectionRef, 'anchor'>, links: RunbookLinks | undefined, prefer: 'url' | 'living' = 'url'): string | undefined {
  const base = prefer === 'living' ? (links?.living ?? links?.url) : (links?.url ?? links?.living);
  if (!base) return undefined;
  return `${base.replace(/#.*$/, '')}#${section.anchor}`;
}

/** The living runbook's file name inside a run folder. */
export const LIVING_RUNBOOK_FILE = 'runbook.html';

/** Links for a file written inside a run folder (`up` folders below it, e.g. 1 for allure-report/). */
export function runFolderLinks(source: RunbookSource | undefined, up = 0): RunbookLinks {
  return { url: source?.url, living: source?.path ? `${'../'.repeat(up)}${LIVING_RUNBOOK_FILE}` : undefined };
}

/** "Title (link)" or just "Title" when there is no link: for text outputs. */
export function sectionText(section: SectionRef, links: RunbookLinks | undefined, prefer: 'url' | 'living' = 'url'): string {
  const href = runbookLink(section, links, prefer);
  return href ? `${section.title} (${href})` : section.title;
}

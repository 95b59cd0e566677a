/** The project's catalog as coverage entries (runbooks/catalog.ts + runbooks/sections.ts). */
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import type { CoverageEntry } from './coverage.ts';

export function catalogEntries(): CoverageEntry[] {
  return (Object.keys(catalog) as CheckId[]).map((id) => {
    const e = catalog[id];
    const anchors: CoverageEntry['anchors'] = [{ field: 'section', anchor: sections[e.section].anchor, title: sections[e.section].title }];
    if (e.procedure) anchors.push({ field: 'procedure', anchor: sections[e.procedure].anchor, title: sections[e.procedure].title });
    return { id, anchors, automated: !e.notAutomatable };
  });
}

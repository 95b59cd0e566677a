/**
 * GitHub's heading anchors (github-slugger): lowercase, drop punctuation and symbols, spaces to
 * hyphens, and number repeats (-1, -2). Letters of any script stay, which is why the runbook's
 * mis-encoded emoji ("ðŸš¨") survive partly as letters in its anchors.
 */
const DROP = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

export function slug(heading: string): string {
  return heading.toLowerCase().replace(DROP, '').replace(/ /g, '-');
}

/** Stateful version for a whole document: repeated headings get -1, -2... */
export class Slugger {
  private readonly seen = new Map<string, number>();
  slug(heading: string): string {
    const base = slug(heading);
    let candidate = base;
    let n = this.seen.get(base) ?? 0;
    while (this.seen.has(candidate)) candidate = `${base}-${++n}`;
    this.seen.set(base, n);
    this.seen.set(candidate, 0);
    return candidate;
  }
}

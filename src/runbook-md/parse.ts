/**
 * The structure of a runbook markdown file: its ATX headings (`#`..`######`) outside fenced code,
 * each with its GitHub anchor and what its body holds. Lines inside ``` or ~~~ fences are never
 * headings (the runbook's shell snippets start lines with `# Check pod status`). Setext headings
 * (text underlined with === or ---) are not recognised: the runbook uses none.
 */
import { Slugger } from './slug.ts';

export interface Heading {
  level: number;
  /** The heading text as written (mis-encoded emoji prefixes included). */
  title: string;
  /** GitHub's anchor for it (repeats numbered -1, -2 like GitHub). */
  anchor: string;
  /** 1-based line number. */
  line: number;
  /** Title of the nearest level-2 heading above (the runbook's chapter), if any. */
  chapter?: string;
  /** Body up to the next heading of the same or a higher level has a fenced code block. */
  hasFencedCode: boolean;
  /** ... has inline code (`like this`). */
  hasInlineCode: boolean;
  /** ... states a threshold (`> 5%`, `> 2s`, `< 100 ms`). */
  hasThreshold: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const THRESHOLD = /[<>]=?\s*\d+(?:\.\d+)?\s*(?:%|ms|s\b|seconds?|minutes?)/;

/** Heading text as GitHub renders it before slugging: links become their text, emphasis marks go. */
export function headingText(raw: string): string {
  return raw.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/(\*\*|__|\*|`)/g, '').trim();
}

export function parseRunbook(markdown: string): Heading[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const slugger = new Slugger();
  const headings: Heading[] = [];
  const open: Heading[] = [];
  let fence: string | null = null;
  let chapter: string | undefined;
  const mark = (k: 'hasFencedCode' | 'hasInlineCode' | 'hasThreshold') => {
    for (const h of open) h[k] = true;
  };
  lines.forEach((line, i) => {
    const f = FENCE.exec(line);
    if (fence !== null) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = null;
      return;
    }
    if (f) {
      fence = f[1]!;
      mark('hasFencedCode');
      return;
    }
    const m = ATX.exec(line);
    if (!m) {
      if (/`[^`]+`/.test(line)) mark('hasInlineCode');
      if (THRESHOLD.test(line)) mark('hasThreshold');
      return;
    }
    const level = m[1]!.length;
    const title = headingText(m[2]!);
    if (level <= 2) chapter = level === 2 ? title : undefined;
    const h: Heading = { level, title, anchor: slugger.slug(title), line: i + 1, chapter: level > 2 ? chapter : undefined, hasFencedCode: false, hasInlineCode: false, hasThreshold: false };
    while (open.length && open.at(-1)!.level >= level) open.pop();
    open.push(h);
    headings.push(h);
  });
  return headings;
}

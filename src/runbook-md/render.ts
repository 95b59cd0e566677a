/**
 * The runbook markdown rendered as HTML, safely, with a hook after every heading (the living
 * runbook puts the current state of the checks there: src/runbook-md/living.ts).
 *
 * markdown-it rather than a hand-written renderer or `marked`: with `html: false` (its default)
 * it escapes any raw HTML in the document instead of passing it through (marked passes it and
 * leaves sanitizing to the caller), and its link validation refuses javascript:, vbscript:,
 * file: and data: (other than images) URLs. The page adds no script and a CSP that loads nothing.
 * Headings get the same GitHub anchors as `coverage` computes (src/runbook-md/parse.ts), so
 * `#anchor` links from reports and alerts land on the right section.
 */
import { createRequire } from 'node:module';
import type MarkdownItType from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { parseRunbook, type Heading } from './parse.ts';
import { Slugger } from './slug.ts';

const require = createRequire(import.meta.url);
let markdownIt: typeof MarkdownItType | undefined;
/** Loaded when a runbook is first rendered: most runs render none (no CREDLINK_RUNBOOK_PATH), and it is 60 modules. */
const MarkdownIt = () => (markdownIt ??= require('markdown-it') as typeof MarkdownItType);

export interface RenderedRunbook {
  /** The document's HTML (no <html> wrapper). */
  html: string;
  headings: Heading[];
}

/** `after(heading)`: HTML to insert right after the heading (trusted: built by our own renderers). */
export function renderRunbookMarkdown(markdown: string, after: (h: Heading) => string | undefined = () => undefined): RenderedRunbook {
  const md = new (MarkdownIt())({ html: false, linkify: false, typographer: false });
  const headings = parseRunbook(markdown);
  const byLine = new Map(headings.map((h) => [h.line, h]));
  const tokens = md.parse(markdown.replace(/\r\n?/g, '\n'), {});
  const fallback = new Slugger();
  const out: typeof tokens = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.push(t);
    if (t.type !== 'heading_open') continue;
    const line = (t.map?.[0] ?? -1) + 1;
    const inline = tokens[i + 1];
    const h: Heading = byLine.get(line) ?? {
      // A heading parse.ts does not read (setext): anchored from its text.
      level: Number(t.tag.slice(1)),
      title: inline?.content ?? '',
      anchor: fallback.slug(`${inline?.content ?? ''}`),
      line,
      hasFencedCode: false,
      hasInlineCode: false,
      hasThreshold: false,
    };
    t.attrSet('id', h.anchor);
    const extra = after(h);
    if (!extra) continue;
    // Copy the inline and closing tokens, then our block (rendered verbatim by the html_block rule).
    out.push(tokens[i + 1]!, tokens[i + 2]!);
    i += 2;
    const block = new (t.constructor as typeof Token)('html_block', '', 0);
    block.content = extra;
    block.block = true;
    out.push(block);
  }
  return { html: md.renderer.render(out, md.options, {}), headings };
}

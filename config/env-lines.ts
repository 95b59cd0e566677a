/**
 * The lines of an environment file that are not KEY=VALUE. dotenv skips such a line without a
 * word (a "CREDLINK_BASE_URL https://..." with a space instead of "=", a stray word), so the
 * setting silently keeps its default: each one is a problem with its line number instead.
 * Blank lines, # comments, "export KEY=VALUE" and quoted values spanning lines are fine.
 */
const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;

export interface MalformedLine {
  /** 1-based. */
  line: number;
  /** A variable-like first word, if the line starts with one (never the rest: it may be a secret). */
  word?: string;
}

/** Whether `text` leaves a quote opened (by `quote`) unclosed; backslash escapes count in double quotes. */
function closes(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}

export function malformedLines(text: string): MalformedLine[] {
  const out: MalformedLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let open: string | undefined;
  lines.forEach((raw, i) => {
    if (open) {
      if (closes(raw, open)) open = undefined;
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = ASSIGNMENT.exec(raw);
    if (!m) {
      const word = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\b/.exec(line)?.[1];
      out.push({ line: i + 1, ...(word ? { word } : {}) });
      return;
    }
    const value = m[1]!.trimStart();
    const quote = value[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      if (!closes(value.slice(1), quote)) open = quote;
    }
  });
  return out;
}

/** One problem line per malformed line: `file:LINE: ...`. */
export function malformedLineProblems(text: string, shown: string): string[] {
  return malformedLines(text).map(
    (m) => `${shown}:${m.line}: ${m.word ? `"${m.word} ..." ` : ''}is not KEY=VALUE: every line is KEY=VALUE, a # comment or blank (the line is ignored otherwise)`,
  );
}

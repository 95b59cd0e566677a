/** Word wrapping for terminal output: lines of at most `width` columns, continuation lines indented. Pure. */

export const TERMINAL_WIDTH = 100;

/**
 * Wraps one logical line. `indent`: the first line's leading spaces (included in the width);
 * `hang`: the indentation of continuation lines. A word longer than a whole line is split.
 */
export function wrap(text: string, opts: { width?: number; indent?: number; hang?: number } = {}): string[] {
  const width = opts.width ?? TERMINAL_WIDTH;
  const indent = ' '.repeat(opts.indent ?? 0);
  const hang = ' '.repeat(opts.hang ?? (opts.indent ?? 0) + 2);
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  const push = () => {
    lines.push(line.replace(/\s+$/, ''));
    line = hang;
    empty = true;
  };
  for (let word of words) {
    if (!word) continue;
    if (!empty && line.length + 1 + word.length > width) push();
    while (line.length + (empty ? 0 : 1) + word.length > width) {
      const room = width - line.length - (empty ? 0 : 1);
      if (room < 8 && !empty) {
        push();
        continue;
      }
      line += (empty ? '' : ' ') + word.slice(0, room);
      word = word.slice(room);
      push();
    }
    if (word) {
      line += (empty ? '' : ' ') + word;
      empty = false;
    }
  }
  if (!empty || lines.length === 0) lines.push(line.replace(/\s+$/, ''));
  return lines;
}

/** "a, b, c" that fits in the room left, ending in "and N more" when it does not. */
export function listWithin(items: readonly string[], room: number): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}, ${items[i]}` : items[i]!;
    const rest = items.length - i - 1;
    const tail = rest > 0 ? `, and ${rest} more` : '';
    if (next.length + tail.length > room && out) return `${out}, and ${items.length - i} more`;
    out = next;
  }
  return out;
}

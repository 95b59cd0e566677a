/** "Did you mean ...?" for a mistyped name: commands, options, faults. */

/** Damerau-Levenshtein distance (adjacent swaps count 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known name: a unique prefix, or at most 2 edits away (1 for short names). */
export function didYouMean(input: string, known: readonly string[]): string | undefined {
  const s = input.toLowerCase();
  const prefixed = known.filter((k) => s.length >= 2 && k.startsWith(s));
  if (prefixed.length === 1) return prefixed[0];
  const scored = known.map((k) => ({ k, d: editDistance(s, k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  if (!best || best.d > (s.length <= 4 ? 1 : 2)) return undefined;
  return scored.filter((x) => x.d === best.d).length === 1 ? best.k : undefined;
}

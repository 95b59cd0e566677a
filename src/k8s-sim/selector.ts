/**
 * Kubernetes label selectors (the string form used in `?labelSelector=`): equality (`a=b`,
 * `a==b`, `a!=b`), set (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`).
 */
type Requirement = (labels: Record<string, string>) => boolean;

export function parseSelector(selector: string): Requirement[] {
  const parts = selector.match(/[^,(]+(?:\([^)]*\))?/g) ?? [];
  return parts.map((raw) => {
    const p = raw.trim();
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const [, k, op, vals] = m as unknown as [string, string, string, string];
      const set = vals.split(',').map((v) => v.trim());
      return (l) => (op === 'in' ? k in l && set.includes(l[k]!) : !(k in l) || !set.includes(l[k]!));
    }
    m = /^([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)$/.exec(p);
    if (m) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      return (l) => (op === '!=' ? l[k] !== v : l[k] === v);
    }
    m = /^(!?)([\w./-]+)$/.exec(p);
    if (m) {
      const [, not, k] = m as unknown as [string, string, string];
      return (l) => (not ? !(k in l) : k in l);
    }
    throw new Error(`unsupported label selector "${p}"`);
  });
}

export function matches(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return parseSelector(selector).every((r) => r(l));
}

/** Equality terms of a selector as labels, e.g. "app=credlink-api" -> { app: 'credlink-api' }. */
export function equalityLabels(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of selector.split(',')) {
    const m = /^\s*([\w./-]+)\s*==?\s*([\w./-]+)\s*$/.exec(p);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * Field selectors (`?fieldSelector=metadata.name=x,involvedObject.uid=y`): `=`, `==` and `!=`
 * on a dotted path of the object, which kubectl uses for `rollout status` (metadata.name) and
 * `describe` (the involvedObject of events). A real API server accepts only some fields per
 * resource; the simulator accepts any path (a missing field compares as "").
 */
export function matchesFields(selector: string | undefined, obj: unknown): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = /^\s*([\w.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw new Error(`unsupported field selector "${term}"`);
    const [, field, op, want] = m as unknown as [string, string, string, string];
    let v: unknown = obj;
    for (const k of field.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    const have = v === undefined || v === null ? '' : String(v);
    return op === '!=' ? have !== want : have === want;
  });
}

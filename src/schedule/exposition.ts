/**
 * The Prometheus text exposition format (0.0.4), and nothing else: a metric family is its
 * HELP and TYPE lines and its samples. Label values are escaped as the format says (\\, \", \n);
 * a label whose value is undefined is left out (e.g. `runbook_url` when no runbook URL is
 * configured: no empty link). Every sample of the daemon carries `location` (config/location.ts),
 * added here once so no family can forget it.
 */

export type Labels = Record<string, string | undefined>;

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function render(l: Labels): string {
  return `{${Object.entries(l)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;
}

/** Prometheus' own spelling of numbers: NaN for "not known", +Inf/-Inf. */
function value(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export class Family {
  readonly lines: string[];
  constructor(
    readonly name: string,
    type: 'gauge' | 'counter' | 'histogram',
    help: string,
    private readonly common: Labels,
  ) {
    this.lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  }

  /** One sample; `env` first, then the common labels (location), then the family's own (readable, stable order). */
  add(l: Labels, v: number): this {
    const { env, ...rest } = l;
    this.lines.push(`${this.name}${render({ env, ...this.common, ...rest })} ${value(v)}`);
    return this;
  }

  /** A histogram's samples: cumulative buckets (upper bounds `le`, in the metric's unit), +Inf, _sum and _count. */
  addHistogram(l: Labels, h: { le: readonly number[]; counts: readonly number[]; count: number; sum: number }): this {
    const { env, ...rest } = l;
    const base = { env, ...this.common, ...rest };
    h.le.forEach((le, i) => this.lines.push(`${this.name}_bucket${render({ ...base, le: String(le) })} ${value(h.counts[i] ?? NaN)}`));
    this.lines.push(`${this.name}_bucket${render({ ...base, le: '+Inf' })} ${value(h.count)}`);
    this.lines.push(`${this.name}_sum${render(base)} ${value(h.sum)}`);
    this.lines.push(`${this.name}_count${render(base)} ${value(h.count)}`);
    return this;
  }
}

/** A factory of families that share labels (the daemon's location). */
export function families(common: Labels) {
  return {
    gauge: (name: string, help: string) => new Family(name, 'gauge', help, common),
    counter: (name: string, help: string) => new Family(name, 'counter', help, common),
    histogram: (name: string, help: string) => new Family(name, 'histogram', help, common),
  };
}

export function joinFamilies(fs: readonly Family[]): string {
  return fs.flatMap((f) => f.lines).join('\n') + '\n';
}

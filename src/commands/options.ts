/**
 * Command-line options, declared once per command: the same structure feeds node:util parseArgs
 * (src/cli.ts `parse`) and the command's --help, so an option cannot exist without its
 * description. A command adds an option by adding one entry to its `options` object.
 */
import { TERMINAL_WIDTH, wrap } from '../reporter/wrap.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What it does, for --help (one sentence; defaults and units included). */
  description: string;
  /** The value's placeholder in help, e.g. NAME for `--env NAME`. */
  value?: string;
  default?: string | boolean;
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Values parseArgs returns for a spec: strings and booleans, undefined when not given and without default. */
export type OptionValues<T extends OptionSpecs> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/** Options several commands share, each described once. */
export const commonOptions = {
  env: { type: 'string', value: 'NAME|PATH', description: 'the environment to check: environments/NAME.env (e.g. local, staging), or the path of an environment file (with a "/" or ending in .env)' },
  'env-file': { type: 'string', value: 'PATH', description: 'the same as --env PATH (through npx or "node bin/...", write --env PATH: Node 20 takes --env-file for itself)' },
  grep: { type: 'string', value: 'REGEX', description: 'only checks whose title or tags match, e.g. "@health\\." or "@db\\."' },
  json: { type: 'boolean', default: false, description: 'print runbook.json (the whole triage) on stdout instead of the summary' },
  'fail-on': { type: 'string', value: 'SEV-n', description: 'least severe incident that makes the exit code 1 (default: CREDLINK_FAIL_ON, SEV-3)' },
  'reports-dir': { type: 'string', value: 'DIR', default: 'reports', description: 'where run folders are written: DIR/<env>/<run-id>/' },
} as const satisfies OptionSpecs;

/** The options of the commands that run the suite (run, drill, gate). */
export const runOptions = {
  env: commonOptions.env,
  'env-file': commonOptions['env-file'],
  grep: commonOptions.grep,
  json: commonOptions.json,
  'fail-on': commonOptions['fail-on'],
  'reports-dir': commonOptions['reports-dir'],
  'state-dir': {
    type: 'string',
    value: 'DIR',
    default: '.state',
    description: "a monitoring daemon's state directory (schedule.json stateDir): a fresh window of the environment there gives p95 and error rate without probing, and `run` reuses its still-valid passes of the hourly checks; none: neither",
  },
} as const satisfies OptionSpecs;

/** The "Options:" block of a command's help, every line within the terminal width. */
export function optionsHelp(options: OptionSpecs): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const dflt = o.default !== undefined && o.default !== false && !/\(default/.test(o.description) ? ` (default: ${String(o.default)})` : '';
    return { flag, text: `${o.description}${dflt}` };
  });
  rows.push({ flag: '-h, --help', text: 'this help' });
  const col = Math.min(28, Math.max(...rows.map((r) => r.flag.length)) + 4);
  const out: string[] = [];
  for (const r of rows) {
    if (r.flag.length + 4 > col) {
      out.push(`  ${r.flag}`);
      out.push(...wrap(r.text, { indent: col, hang: col, width: TERMINAL_WIDTH }));
    } else {
      const [first, ...rest] = wrap(r.text, { indent: col, hang: col, width: TERMINAL_WIDTH });
      out.push(`  ${r.flag.padEnd(col - 2)}${first!.slice(col)}`, ...rest);
    }
  }
  return out;
}

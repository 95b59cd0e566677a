/**
 * schedule.json and everything it names, checked in one pass: the file's own problems (JSON
 * syntax with line and column, the schema, cron and time zones), every environment file it
 * names and every grep, reported together (exit 2). An entry with a problem of its own still has
 * its environment file and grep checked, as far as it names them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, processFacts, type ResolvedConfig } from '../../config/index.ts';
import { DEFAULT_LOCATION } from '../../config/location.ts';
import { CliError, ConfigError } from '../errors.ts';
import { selectionProblems } from '../run/select.ts';
import { parseSchedule, type ScheduleConfig } from './config.ts';
import { describeJsonError } from './json-error.ts';

export interface LoadedSchedule {
  config: ScheduleConfig;
  /** Each environment's resolved configuration, by name, with the daemon's location. */
  configs: Map<string, Readonly<ResolvedConfig>>;
  location: string;
}

interface EnvEntry {
  index: number;
  env: string;
  envFile?: string;
  grep?: string;
}

/** The environments an invalid schedule.json still names clearly enough to check (the first of each name). */
function entriesOf(raw: unknown, shown: string): EnvEntry[] {
  const list = (raw as { environments?: unknown } | null)?.environments;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  const out: EnvEntry[] = [];
  list.forEach((item, index) => {
    const e = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    if (typeof e.env !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(e.env) || seen.has(e.env)) return;
    seen.add(e.env);
    out.push({
      index,
      env: e.env,
      ...(typeof e.envFile === 'string' && e.envFile ? { envFile: path.resolve(path.dirname(shown), e.envFile) } : {}),
      ...(typeof e.grep === 'string' ? { grep: e.grep } : {}),
    });
  });
  return out;
}

export function loadScheduleAndEnvironments(file: string): LoadedSchedule {
  const rel = path.relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') ? rel : path.resolve(file);
  if (!fs.existsSync(file)) throw new ConfigError([`${shown}: missing: copy schedule.example.json to ${shown} and list your environments`]);
  const text = fs.readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${shown}: not valid JSON: ${describeJsonError(text, e as Error)}`]);
  }
  const problems = new Set<string>();
  let config: ScheduleConfig | undefined;
  try {
    config = parseSchedule(raw, shown);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    for (const line of e.lines) problems.add(line);
  }
  // One location for the daemon (every run, metric and page says it): the process environment wins.
  const rawLocation = (raw as { location?: unknown } | null)?.location;
  const location = processFacts.location() ?? config?.location ?? (typeof rawLocation === 'string' ? rawLocation : undefined) ?? DEFAULT_LOCATION;
  const entries: EnvEntry[] = config ? config.environments.map((e, index) => ({ index, env: e.env, envFile: e.envFile, grep: e.grep })) : entriesOf(raw, shown);
  const configs = new Map<string, Readonly<ResolvedConfig>>();
  for (const e of entries) {
    try {
      configs.set(e.env, Object.freeze({ ...loadConfig({ env: e.env, file: e.envFile }), location }));
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      // CREDLINK_LOCATION is checked with every file: said once.
      for (const line of err.lines) problems.add(line);
    }
  }
  for (const p of selectionProblems(entries.flatMap((e) => (e.grep === undefined ? [] : [{ where: `${shown}: environments.${e.index}.grep`, grep: e.grep, config: configs.get(e.env) }])))) problems.add(p);
  if (problems.size || !config) throw new ConfigError([...problems]);
  config.location = location;
  return { config, configs, location };
}

import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { parse, type Command } from './contract.ts';
import { listEnvironments, loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { ENVIRONMENTS_DIR } from '../../config/load.ts';
import { ENV_KEYS } from '../../config/schema.ts';
import { malformedLineProblems } from '../../config/env-lines.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { dependencyRules, symptomGroups } from '../../runbooks/dependencies.ts';
import { matchesCheck, systemOf } from '../incidents/match.ts';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import { CliError, ConfigError, EXIT } from '../errors.ts';
import { listTests } from '../run/list-tests.ts';
import { slug } from '../runbook-md/slug.ts';
import { envSource } from './common.ts';

/** Catalog consistency, pure: every automated entry has a test, every test an entry. */
export function catalogProblems(tests: { title: string; file: string; checkIds: string[] }[]): string[] {
  const problems: string[] = [];
  for (const id of Object.keys(sections) as SectionId[]) {
    const s = sections[id];
    if (slug(s.title) !== s.anchor) problems.push(`runbooks/sections.ts: section "${id}" anchor "${s.anchor}" is not the GitHub anchor of "${s.title}" (${slug(s.title)})`);
  }
  const covered = new Set<string>();
  for (const t of tests) {
    const known = t.checkIds.filter((id) => Object.hasOwn(catalog, id));
    if (known.length === 0) problems.push(`${t.file}: test "${t.title}" declares no catalog id: add runbook('<id>') to its details`);
    for (const id of known) {
      covered.add(id);
      if (catalog[id as CheckId].notAutomatable) problems.push(`${t.file}: test "${t.title}" implements "${id}", which the catalog marks not automatable`);
    }
  }
  for (const id of Object.keys(catalog) as CheckId[]) {
    const e = catalog[id];
    if (!e.notAutomatable && !covered.has(id)) problems.push(`runbooks/catalog.ts: "${id}" has no test: write one in checks/ or give it a notAutomatable reason`);
  }
  problems.push(...dependencyProblems());
  return problems;
}

/** runbooks/dependencies.ts against the catalog: a pattern naming no check is a typo that silently disables a rule. */
export function dependencyProblems(): string[] {
  const ids = Object.keys(catalog) as CheckId[];
  const problems: string[] = [];
  const named: [string, readonly string[] | undefined][] = [
    ...dependencyRules.flatMap((r) => [[`rule "${r.name}" source`, r.source.checks], ...r.targets.map((t): [string, readonly string[] | undefined] => [`rule "${r.name}" target`, t.checks])] as [string, readonly string[] | undefined][]),
    ...symptomGroups.flatMap((g) => g.members.map((m): [string, readonly string[] | undefined] => [`symptom group "${g.name}"`, m.checks])),
  ];
  for (const [where, patterns] of named) {
    for (const p of patterns ?? []) if (!ids.some((id) => matchesCheck([p], id))) problems.push(`runbooks/dependencies.ts: ${where} names "${p}", which matches no catalog id`);
  }
  for (const id of ids) if (!catalog[id].notAutomatable && !systemOf(id)) problems.push(`runbooks/dependencies.ts: "${id}" matches no entry of \`systems\`: say what it talks to`);
  return problems;
}

const options = {
  env: { type: 'string', value: 'NAME|PATH', description: 'validate only environments/NAME.env, or only the environment file at PATH (default: every environment file)' },
  'env-file': { type: 'string', value: 'PATH', description: 'the same as --env PATH: its environment name is the file name without .env' },
  json: { type: 'boolean', default: false, description: 'print {valid, environments, catalogEntries, checks, problems} as JSON' },
} as const;

const command: Command = {
  usage: 'validate [options]',
  description: [
    'Validates environment files (all of environments/, or one: --env NAME|PATH), every problem at once, and the catalog: every',
    'check has an entry, every entry a check or a "not automatable" reason, every anchor matches its heading.',
    '',
    'Exit: 0 valid, 2 problems (one line each).',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const problems: string[] = [];
    const source = values.env || values['env-file'] ? envSource(values) : {};
    const file = source.file;
    // One file given by path: its environment name comes from the file name (staging.env -> staging).
    const envs = file ? [{ name: path.basename(file).replace(/\.env$/, ''), configured: true, file }] : source.env ? [{ name: source.env, configured: true }] : listEnvironments();
    let listingConfig: ResolvedConfig | undefined;
    for (const e of envs) {
      if (e.configured) {
        try {
          const c = 'file' in e ? loadConfig({ file: e.file }) : loadConfig({ env: e.name });
          if (e.name === 'local') listingConfig = c;
          ctx.err(`ok   ${'file' in e ? path.relative(process.cwd(), path.resolve(e.file)) || e.file : `environments/${e.name}.env`} (environment "${c.env}")\n`);
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          problems.push(...err.lines);
        }
      }
      const example = path.join(ENVIRONMENTS_DIR, `${e.name}.env.example`);
      if (!source.env && !file && fs.existsSync(example)) {
        const text = fs.readFileSync(example, 'utf8');
        problems.push(...malformedLineProblems(text, `environments/${e.name}.env.example`));
        for (const key of Object.keys(dotenv.parse(text))) {
          if (!(ENV_KEYS as string[]).includes(key)) problems.push(`environments/${e.name}.env.example: ${key} is not a known variable`);
        }
      }
    }
    listingConfig ??= loadConfig({ env: 'local' });
    const tests = listTests({ ...listingConfig, baseUrl: 'http://127.0.0.1:9', databaseUrl: 'postgres://127.0.0.1:9/listing' });
    problems.push(...catalogProblems(tests));
    if (values.json) {
      ctx.out(JSON.stringify({ valid: problems.length === 0, environments: envs.map((e) => e.name), catalogEntries: Object.keys(catalog).length, checks: tests.length, problems }, null, 2) + '\n');
      return problems.length ? EXIT.usage : EXIT.healthy;
    }
    if (problems.length) throw new ConfigError(problems);
    ctx.out(`valid: ${envs.length} environment(s), ${Object.keys(catalog).length} catalog entries, ${tests.length} checks\n`);
    return 0;
  },
};
export default command;

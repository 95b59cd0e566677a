/**
 * Which checks a `--grep` selects: the one place that decides it, for `run`, `drill`, `gate`,
 * `cutover` and every environment of `schedule.json`. A grep that is not a valid regular
 * expression, or that selects no check, is a usage problem: the run would prove nothing
 * (docs/incidents-and-severities.md "No evidence, no verdict"). Playwright itself lists the selection
 * (`playwright test --list --grep`), so this is exactly the set a run would execute.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { UsageError } from '../errors.ts';
import { listTests, type ListedTest } from './list-tests.ts';

/**
 * The problem with `grep` as a regular expression, or undefined. Playwright reads "/re/flags"
 * as a literal and anything else as `new RegExp(grep, 'gi')`: the same rule here.
 */
export function grepSyntaxProblem(grep: string): string | undefined {
  if (!grep.trim()) return 'is empty: give a regular expression such as "@health\\." or leave the option out';
  const literal = /^\/(.*)\/([gi]*)$/.exec(grep);
  try {
    if (literal) new RegExp(literal[1]!, literal[2]);
    else new RegExp(grep, 'gi');
    return undefined;
  } catch (e) {
    // "Invalid regular expression: /(/gi: Unterminated group" -> "Unterminated group"
    const msg = (e as Error).message;
    return `is not a valid regular expression: ${msg.slice(msg.lastIndexOf(': ') + 2)}`;
  }
}

export interface GrepUse {
  /** Where the grep comes from, for the message: "--grep", "schedule.json: environments.0.grep". */
  where: string;
  grep: string;
  /** The environment it runs against (check titles name its paths); without one only the syntax is checked. */
  config?: ResolvedConfig;
}

/** Selected checks per (grep, paths): the daemon checks its greps once at start, `gate` runs twice. */
const selections = new Map<string, ListedTest[]>();

const keyOf = (grep: string | null, config: ResolvedConfig) => JSON.stringify([grep, config.paths, config.protectedEndpoint, config.env]);

function selected(grep: string, config: ResolvedConfig): ListedTest[] {
  const key = keyOf(grep, config);
  let tests = selections.get(key);
  if (tests === undefined) {
    tests = listTests(config, grep);
    selections.set(key, tests);
  }
  return tests;
}

/**
 * The selection of a grep made of check ids (`grepOf(ids)`: "@id" tags, whole words), taken from
 * the whole suite's listing instead of a listing of its own: the daemon's due-check runs select a
 * new set of ids whenever cadences fall together differently, and each listing is a Playwright
 * start (about 1.4 CPU-s). The same tests Playwright's --grep selects: a test matches exactly when
 * one of its tags is one of the ids (tests/unit/select-ids.test.ts compares both).
 */
export function selectIds(grep: string, ids: readonly string[], config: ResolvedConfig): ListedTest[] {
  const key = keyOf(grep, config);
  let tests = selections.get(key);
  if (tests === undefined) {
    const allKey = keyOf(null, config);
    let all = selections.get(allKey);
    if (all === undefined) {
      all = listTests(config);
      selections.set(allKey, all);
    }
    const want = new Set(ids);
    tests = all.filter((t) => t.checkIds.some((id) => want.has(id)));
    selections.set(key, tests);
  }
  return tests;
}

/** Every problem of every grep, one line each. */
export function selectionProblems(uses: readonly GrepUse[]): string[] {
  const problems: string[] = [];
  for (const u of uses) {
    const syntax = grepSyntaxProblem(u.grep);
    if (syntax) problems.push(`${u.where} "${u.grep}" ${syntax}`);
    else if (u.config && selected(u.grep, u.config).length === 0) {
      problems.push(`${u.where} "${u.grep}" selects no check: a run would prove nothing (check ids: "credlink-checks list"; e.g. "@health\\.")`);
    }
  }
  return problems;
}

/**
 * For one command line: throws a UsageError (exit 2) when `grep` is invalid or selects nothing;
 * else the checks it selects (undefined without a grep: every check).
 */
export function assertSelects(grep: string | undefined, config: ResolvedConfig): ListedTest[] | undefined {
  if (grep === undefined) return undefined;
  const problems = selectionProblems([{ where: '--grep', grep, config }]);
  if (problems.length) throw new UsageError(problems[0]!);
  return selected(grep, config);
}

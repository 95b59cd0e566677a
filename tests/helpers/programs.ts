/**
 * Tests that need a program of a Debian package (prometheus, promtool, prometheus-alertmanager,
 * amtool): locally they skip, saying which package to install; under CI=true they run and FAIL
 * naming what is missing, because .ci/run installs it and a silent skip there would prove nothing.
 */
import fs from 'node:fs';

export interface Program {
  path: string;
  /** The Debian package that ships it. */
  pkg: string;
}

export const PROMETHEUS: Program = { path: '/usr/bin/prometheus', pkg: 'prometheus' };
export const PROMTOOL: Program = { path: '/usr/bin/promtool', pkg: 'prometheus' };
export const ALERTMANAGER: Program = { path: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager' };
export const AMTOOL: Program = { path: '/usr/bin/amtool', pkg: 'prometheus-alertmanager' };

const missing = (programs: readonly Program[]) => programs.filter((p) => !fs.existsSync(p.path));
const say = (ps: readonly Program[]) => ps.map((p) => `${p.path} (Debian package ${p.pkg})`).join(', ');

/** node:test options: a skip with the reason locally when a program is missing; none under CI (the test must fail). */
export function requiring(...programs: Program[]): { skip?: string } {
  const gone = missing(programs);
  if (!gone.length || process.env.CI) return {};
  return { skip: `not installed: ${say(gone)}; apt-get install ${[...new Set(gone.map((p) => p.pkg))].join(' ')}` };
}

/** First line of a test that needs the programs: under CI a missing one is a failure naming it. */
export function assertInstalled(...programs: Program[]): void {
  const gone = missing(programs);
  if (gone.length) throw new Error(`not installed: ${say(gone)}: CI installs it (.ci/run); locally: apt-get install ${[...new Set(gone.map((p) => p.pkg))].join(' ')}`);
}

/**
 * The programs of Debian packages that the project's tests drive for real (a browser to look at
 * the HTML report and the status page, Prometheus and promtool, Alertmanager and amtool, kubectl).
 * `npm test` checks them first (tests/install-prerequisites.ts, the `pretest` script): present,
 * nothing happens; missing and allowed (root, apt-get on PATH, CREDLINK_TEST_NO_INSTALL unset),
 * they are installed; missing and not allowed, the test run stops at once with one line naming
 * what is missing and the command that installs it. The decision is a pure function (decide).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Prerequisite {
  /** An absolute path the tests use, or a bare name looked up on PATH. */
  program: string;
  /** The Debian package that ships it. */
  pkg: string;
}

export const PREREQUISITES: readonly Prerequisite[] = [
  { program: '/usr/bin/chromium', pkg: 'chromium' },
  { program: '/usr/bin/prometheus', pkg: 'prometheus' },
  { program: '/usr/bin/promtool', pkg: 'prometheus' },
  { program: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { program: '/usr/bin/amtool', pkg: 'prometheus-alertmanager' },
  { program: 'kubectl', pkg: 'kubernetes-client' },
];

/** Set (to anything but "" or "0") to never install: missing programs then stop the test run. */
export const OPT_OUT_VAR = 'CREDLINK_TEST_NO_INSTALL';

export interface Situation {
  missing: readonly Prerequisite[];
  /** The test run is root (apt-get needs it; nothing asks for a password). */
  root: boolean;
  /** apt-get is on PATH. */
  aptGet: boolean;
  /** The opt-out variable is set. */
  optOut: boolean;
}

export type Decision =
  | { kind: 'ready' }
  | { kind: 'install'; packages: string[]; line: string; commands: string[][] }
  | { kind: 'stop'; line: string };

const packagesOf = (missing: readonly Prerequisite[]) => [...new Set(missing.map((m) => m.pkg))];
const named = (missing: readonly Prerequisite[]) => missing.map((m) => `${m.program} (${m.pkg})`).join(', ');

export function decide(s: Situation): Decision {
  if (!s.missing.length) return { kind: 'ready' };
  const packages = packagesOf(s.missing);
  const install = `apt-get install -y ${packages.join(' ')}`;
  if (s.root && s.aptGet && !s.optOut) {
    return {
      kind: 'install',
      packages,
      line: `npm test: installing ${packages.join(' ')} (Debian packages the tests run: ${named(s.missing)} missing; ${OPT_OUT_VAR}=1 never installs)`,
      commands: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', ...packages],
      ],
    };
  }
  const why = s.optOut ? `${OPT_OUT_VAR} is set` : !s.aptGet ? 'apt-get is not on PATH (install the packages of the same names)' : 'npm test installs them only when run as root';
  const command = s.root || !s.aptGet ? install : `sudo ${install}`;
  return { kind: 'stop', line: `npm test: missing ${named(s.missing)}: install with \`${command}\`, then run npm test again (${why})` };
}

/** Whether a program is there: an absolute path exists and is executable, a bare name is found on PATH. */
export function present(program: string, envPath = process.env.PATH ?? ''): boolean {
  const candidates = path.isAbsolute(program) ? [program] : envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, program));
  return candidates.some((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

export function missingPrerequisites(list: readonly Prerequisite[] = PREREQUISITES, envPath?: string): Prerequisite[] {
  return list.filter((p) => !present(p.program, envPath));
}

export function optedOut(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}

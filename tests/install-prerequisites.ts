/**
 * `npm test` runs this first (the `pretest` script): the Debian programs the tests drive are
 * installed when missing and allowed, or the run stops with one line saying how to install them
 * (tests/helpers/prerequisites.ts decides).
 */
import { spawnSync } from 'node:child_process';
import { decide, missingPrerequisites, OPT_OUT_VAR, optedOut, present } from './helpers/prerequisites.ts';

const decision = decide({
  missing: missingPrerequisites(),
  root: process.getuid?.() === 0,
  aptGet: present('apt-get'),
  optOut: optedOut(process.env[OPT_OUT_VAR]),
});

if (decision.kind === 'stop') {
  console.error(decision.line);
  process.exitCode = 1;
} else if (decision.kind === 'install') {
  console.error(decision.line);
  for (const [cmd, ...args] of decision.commands) {
    const r = spawnSync(cmd!, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`npm test: \`${[cmd, ...args].join(' ')}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}): install ${decision.packages.join(' ')} by hand, then run npm test again`);
      process.exitCode = 1;
      break;
    }
  }
  const still = process.exitCode ? [] : missingPrerequisites();
  if (still.length) {
    console.error(`npm test: installed ${decision.packages.join(' ')} but ${still.map((m) => m.program).join(', ')} is still missing`);
    process.exitCode = 1;
  }
}

/** docs/reference/cadences.md from the cadence rules (runbooks/cadence.ts). */
import { VALIDITY_GRACE_SECONDS, WINDOW_FALLBACK_SECONDS, cadenceRules } from '../../runbooks/cadence.ts';
import { code, page, table } from './markdown.ts';

function every(e: number | 'window'): string {
  if (e === 'window') return `the window (every round of the sampler; ${WINDOW_FALLBACK_SECONDS} s without one)`;
  return e >= 3600 && e % 3600 === 0 ? `${e} s (${e / 3600} h)` : e >= 60 && e % 60 === 0 ? `${e} s (${e / 60} min)` : `${e} s`;
}

export function cadencesPage(): string {
  const rows = cadenceRules.map((r) => [r.checks.map(code).join(', '), every(r.every), String(r.requests), String(r.failedAttempts), r.why]);
  return page(
    'Cadences reference',
    '`runbooks/cadence.ts`',
    [
      'How often the monitoring daemon (`schedule`) runs each check of a remote environment, what one run of it sends to',
      'the target (an upper bound counted from the check\'s code) and how many of those requests fail authentication',
      '(counted against `CREDLINK_AUTH_FAIL_LIMIT` apart). The first rule naming a check wins. A result is valid for',
      `2 x its cadence + ${VALIDITY_GRACE_SECONDS} s; past that it is stale, never passed. Override per environment with`,
      '`schedule.json` `"cadence": { "<check id or pattern>": seconds }`. How the window and the cadences work, and',
      'how to choose them for a limit: [Continuous monitoring](../monitoring-window.md).',
    ],
    table(['checks', 'every', 'requests a run', 'failed attempts', 'why'], rows),
  );
}

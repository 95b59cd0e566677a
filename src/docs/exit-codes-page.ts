/** docs/reference/exit-codes.md from src/errors.ts (EXIT and EXIT_MEANINGS). */
import { EXIT, EXIT_MEANINGS } from '../errors.ts';
import { page, table } from './markdown.ts';

export function exitCodesPage(): string {
  const rows = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((k) => [String(EXIT[k]), EXIT_MEANINGS[k]]);
  return page(
    'Exit codes',
    '`src/errors.ts`',
    [
      'Every command ends with one of these codes; an error prints one line per problem on stderr, never a stack trace.',
      'A target that is down is not an error: it is an incident (`outage`, SEV-0), exit 1.',
    ],
    table(['code', 'meaning'], rows),
  );
}

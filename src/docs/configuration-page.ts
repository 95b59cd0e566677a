/** docs/reference/configuration.md from config/schema.ts (names, defaults, secrets, descriptions) and config/process-variables.ts. */
import { z } from '../zod.ts';
import { envSchema, RUNBOOK_VARS } from '../../config/schema.ts';
import { processVariables } from '../../config/process-variables.ts';
import { code, page, table } from './markdown.ts';

interface VariableMeta {
  description?: string;
  /** The default as written in an environment file. */
  default?: string;
  /** A default that is not one value (it depends on another variable), in words. */
  defaultText?: string;
  secret?: boolean;
}

/** The metadata zod keeps for a field (`.describe()`, `.meta()`), inherited along clones. */
export function variableMeta(schema: unknown): VariableMeta {
  return ((z as unknown as { globalRegistry: { get(s: unknown): VariableMeta | undefined } }).globalRegistry.get(schema) ?? {}) as VariableMeta;
}

export function configurationPage(): string {
  const rows = Object.entries(envSchema.shape).map(([name, schema]) => {
    const m = variableMeta(schema);
    const dflt = m.default !== undefined ? code(m.default) : (m.defaultText ?? 'unset');
    return [code(name), dflt, m.secret ? 'yes' : '', m.description ?? ''];
  });
  const proc = processVariables.map((v) => [code(v.name), `${v.description}${v.testOnly ? ' (for the project\'s tests only: never set where the monitor runs)' : ''}`]);
  return page(
    'Configuration reference',
    '`config/schema.ts` and `config/process-variables.ts`',
    [
      'An environment is one dotenv file (`environments/<name>.env`, or any path with `--env-file`); its name is the',
      'file name without `.env`. Empty = unset. Unknown variables are errors, with a "did you mean". Values may reference',
      'the process environment as `${NAME}`: that is how secrets get in, never written into the file. A variable marked',
      '*secret* is scrubbed from every output (reports, logs, alerts, state files). How to write an environment file:',
      '[Environments and configuration](../environments-and-configuration.md).',
    ],
    [
      '## Environment file variables',
      '',
      ...table(['variable', 'default', 'secret', 'meaning'], rows),
      '',
      '## Process environment',
      '',
      `Read from the environment of the process that runs the tool, not from an environment file (${RUNBOOK_VARS.map(code).join(' and ')} may be set in both: the file wins).`,
      '',
      ...table(['variable', 'meaning'], proc),
    ],
  );
}

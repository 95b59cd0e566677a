/** docs/reference/commands.md from the command map (src/cli.ts) and each command's option declarations: what --help prints. */
import { commands } from '../cli.ts';
import type { Command } from '../commands/contract.ts';
import type { OptionSpec } from '../commands/options.ts';
import { code, helpText, page, table } from './markdown.ts';

function flag(name: string, o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
}

export async function commandsPage(): Promise<string> {
  const loaded: [string, string, Command][] = [];
  for (const [name, entry] of Object.entries(commands)) loaded.push([name, entry.summary, (await entry.load()).default]);
  const body: string[] = [
    ...table(['command', 'what it does'], loaded.map(([name, summary]) => [`[${code(name)}](#${name})`, summary])),
    '',
    'Every command takes `-h, --help`. `credlink-checks --version` prints the version.',
  ];
  for (const [name, summary, cmd] of loaded) {
    const options = Object.entries(cmd.options).map(([o, spec]) => [
      code(flag(o, spec)),
      spec.default !== undefined && spec.default !== false ? code(String(spec.default)) : '',
      spec.description,
    ]);
    body.push('', `## ${name}`, '', `${summary[0]!.toUpperCase()}${summary.slice(1)}.`, '', '```text', `credlink-checks ${cmd.usage}`, '```');
    // drill's description lists the faults: the faults page has them with more detail.
    const description = name === 'drill' ? (cmd.description ?? '').split('\nFaults:\n')[0]! : cmd.description;
    if (description) body.push('', ...helpText(description));
    if (name === 'drill') body.push('', 'Faults: [faults reference](faults.md) (also `drill --help`).');
    body.push('', ...table(['option', 'default', 'meaning'], options));
  }
  return page(
    'Command reference',
    'the option declarations `--help` reads (`src/cli.ts`, `src/commands/*.ts`, `src/commands/options.ts`)',
    ['`npx credlink-checks <command> --help` prints the same, in the terminal. Exit codes: [exit codes](exit-codes.md).'],
    body,
  );
}

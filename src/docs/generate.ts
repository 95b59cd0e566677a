/**
 * `npm run docs`: writes the reference pages of docs/reference/ from the declarations the code
 * reads (the config schema, the faults, the incident rules, the command options, the exit codes, the cadences) and docs/contracts.md from the contracts' cases.
 * tests/unit/docs-reference.test.ts regenerates them in memory and fails when a committed page differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../run/paths.ts';
import { cadencesPage } from './cadences-page.ts';
import { commandsPage } from './commands-page.ts';
import { CONTRACTS_PAGE, contractsPage } from './contracts-page.ts';
import { configurationPage } from './configuration-page.ts';
import { exitCodesPage } from './exit-codes-page.ts';
import { faultsPage } from './faults-page.ts';
import { incidentRulesPage } from './incident-rules-page.ts';

export const REFERENCE_DIR = 'docs/reference';

/** Every generated page: path relative to the project root -> content. */
export async function referencePages(): Promise<Map<string, string>> {
  return new Map([
    [`${REFERENCE_DIR}/configuration.md`, configurationPage()],
    [`${REFERENCE_DIR}/faults.md`, faultsPage()],
    [`${REFERENCE_DIR}/incident-rules.md`, incidentRulesPage()],
    [`${REFERENCE_DIR}/commands.md`, await commandsPage()],
    [`${REFERENCE_DIR}/exit-codes.md`, exitCodesPage()],
    [`${REFERENCE_DIR}/cadences.md`, cadencesPage()],
    [CONTRACTS_PAGE, contractsPage()],
  ]);
}

export async function writeReferencePages(root = PROJECT_ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, content] of await referencePages()) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) continue;
    fs.writeFileSync(file, content);
    written.push(rel);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const written = await writeReferencePages();
  process.stdout.write(written.length ? `wrote ${written.join(', ')}\n` : 'docs/reference is up to date\n');
}

/**
 * Rewrites the generated inhibit rules of deploy/alertmanager/alertmanager.yml from
 * runbooks/dependencies.ts (`npm run alertmanager:inhibit`), after a dependency rule changed.
 * tests/unit/alertmanager-config.test.ts fails until this has been run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../run/paths.ts';
import { withInhibitRules } from './inhibit-rules.ts';

export const ALERTMANAGER_EXAMPLE = path.join(PROJECT_ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');

const before = fs.readFileSync(ALERTMANAGER_EXAMPLE, 'utf8');
const after = withInhibitRules(before);
fs.writeFileSync(ALERTMANAGER_EXAMPLE, after);
process.stdout.write(`${path.relative(process.cwd(), ALERTMANAGER_EXAMPLE)}: ${before === after ? 'already up to date' : 'inhibit rules rewritten'}\n`);

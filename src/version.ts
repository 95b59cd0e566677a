/** The tool's version, from package.json ("unknown" when it cannot be read). */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './run/paths.ts';

export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

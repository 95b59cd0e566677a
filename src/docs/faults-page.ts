/** docs/reference/faults.md from the fault declarations (src/target/faults.ts). */
import { sections } from '../../runbooks/sections.ts';
import { FAULT_NAMES, faultCatalog, faultUsage, formatFaultValue, type FaultSpec } from '../target/faults.ts';
import { code, page, table } from './markdown.ts';

/** The value a fault takes on the command line: range, unit and default. */
function valueOf(spec: FaultSpec): string {
  const p = spec.param;
  if (!p) return 'none';
  if (p.unit === 'path') return `a request path; default ${code(p.default)}`;
  if (p.unit === 'path:%') return `PATH:PCT, PCT ${p.min}-${p.max} %; default ${code(formatFaultValue(p.default))}`;
  const unit = p.unit === 'req' ? 'requests a minute' : p.unit;
  return `${p.min}-${p.max} ${unit}; default ${p.default}`;
}

/** The same fault in the body of PUT /__admin/faults. */
function jsonOf(name: string, spec: FaultSpec): string {
  const p = spec.param;
  const value = !p ? true : p.default;
  return code(JSON.stringify({ [name]: value }));
}

export function faultsPage(): string {
  const rows = FAULT_NAMES.map((name) => {
    const spec: FaultSpec = faultCatalog[name];
    return [code(faultUsage(name)), valueOf(spec), spec.description, sections[spec.incident].title, jsonOf(name, spec)];
  });
  return page(
    'Faults reference',
    '`src/target/faults.ts`',
    [
      'Faults of the reference target, each reproducing a runbook incident. Give them to `drill FAULT[=VALUE],...`,',
      '`target --fault`, `cutover --green-fault` / `--blue-fault`, or switch them on a running target with',
      '`PUT /__admin/faults` (the last column is the entry of the fault in that request\'s `faults` object).',
      'How to rehearse with them: [Drills and faults](../drills-and-faults.md).',
    ],
    table(['fault', 'value', 'what the target does', 'runbook incident it reproduces', 'in PUT /__admin/faults'], rows),
  );
}

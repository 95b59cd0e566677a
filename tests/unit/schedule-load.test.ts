/** schedule.json with its environment files and greps: every problem in one pass (src/schedule/load.ts). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import { loadScheduleAndEnvironments } from '../../src/schedule/load.ts';
import { describeJsonError, jsonErrorIndex } from '../../src/schedule/json-error.ts';
import { tempDir } from '../helpers/harness.ts';

const dir = tempDir('credlink-schedule-load-');

function problemsOf(file: string): string[] {
  try {
    loadScheduleAndEnvironments(file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.lines;
  }
  return [];
}

test('JSON syntax errors say line and column (table)', () => {
  const cases: [string, string][] = [
    ['{"a": 1,}', 'line 1, column 9: Expected double-quoted property name'],
    ['{\n  "a": 1\n  "b": 2\n}', "line 3, column 3: Expected ',' or '}' after property value"],
    ['{\n  "a": tru}', "line 2, column 11: Unexpected token '}'"],
    ['{\n "a": [1, 2,, 3]\n}', "line 2, column 13: Unexpected token ','"],
    ['{"a": 1', "line 1, column 8: Expected ',' or '}' after property value"],
    ['', 'line 1, column 1: Unexpected end of JSON input'],
    ['{}\nx', 'line 2, column 1: Unexpected non-whitespace character after JSON'],
  ];
  for (const [text, expected] of cases) {
    let err: Error | undefined;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err, text);
    assert.equal(describeJsonError(text, err), expected, JSON.stringify(text));
  }
  assert.equal(jsonErrorIndex('{"ok": true}'), undefined);
});

test('schedule.json that is not JSON: one line with the file, line and column', () => {
  const file = path.join(dir, 'broken.json');
  fs.writeFileSync(file, '{\n  "environments": [\n    { "env": "staging", "cron": "*/5 * * * *" },\n  ]\n}\n');
  assert.deepEqual(problemsOf(file), [`${file}: not valid JSON: line 4, column 3: Unexpected token ']'`]);
});

test('schema problems, environment files and greps come together, not in two passes', () => {
  fs.writeFileSync(path.join(dir, 'staging.env'), 'CREDLINK_TARGET=remote\nCREDLINK_BASE_URL=https://staging.example\nCREDLINK_API_KEYS=k-0123456789\nCREDLINK_RESPONS_WARN_MS=100\nstray line\n');
  const file = path.join(dir, 'schedule.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      listen: { port: 'nine' },
      environments: [
        { env: 'staging', envFile: 'staging.env', cron: '*/5 * * *' },
        { env: 'missing-one', envFile: 'missing-one.env', intervalSeconds: 60, grep: '(' },
      ],
    }),
  );
  const problems = problemsOf(file);
  const expect = [
    /schedule\.json: environments\.0\.cron: "\*\/5 \* \* \*" has 4 field\(s\)/,
    /schedule\.json: listen\.port: /,
    /staging\.env:5: "stray \.\.\." is not KEY=VALUE/,
    /staging\.env: CREDLINK_RESPONS_WARN_MS is not a known variable: did you mean CREDLINK_RESPONSE_WARN_MS\?/,
    /missing-one\.env: no such file/,
    /schedule\.json: environments\.1\.grep "\(" /,
  ];
  for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re} in:\n${problems.join('\n')}`);
  assert.equal(problems.length, expect.length, problems.join('\n'));
});

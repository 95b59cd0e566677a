/** schedule.json validation: cron field counts, every problem in one pass, retention and delivery defaults. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import { cronProblem, parseSchedule, retentionFor } from '../../src/schedule/config.ts';

function problems(raw: unknown): string[] {
  try {
    parseSchedule(raw, 'schedule.json');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.lines;
  }
  return [];
}

const cronTable: [expr: string, cronSeconds: boolean, ok: RegExp | null][] = [
  ['*/5 * * * *', false, null],
  ['0 0 1 1 *', false, null],
  ['@daily', false, null],
  ['* * * * * * *', false, /has 7 field\(s\): use 5/],
  ['* * * * * * *', true, /has 7 field\(s\): use 5 .*or 6 with seconds first/],
  ['*/5 * * * * *', false, /has 6 fields: a first field of seconds needs "cronSeconds": true/],
  ['*/5 * * * * *', true, null],
  ['*/5 * * *', false, /has 4 field\(s\)/],
  ['61 * * * *', false, /is not a valid cron expression/],
];
for (const [expr, cronSeconds, expected] of cronTable) {
  test(`cron "${expr}"${cronSeconds ? ' with cronSeconds' : ''}: ${expected ? 'refused' : 'accepted'}`, () => {
    const p = cronProblem(expr, { timezone: 'UTC', cronSeconds });
    if (expected) assert.match(p ?? '', expected);
    else assert.equal(p, null);
  });
}

test('a 7-field cron (which croner would run every second) is refused at start', () => {
  assert.deepEqual(problems({ environments: [{ env: 'prod', cron: '*/5 * * * * * *' }] }), [
    'schedule.json: environments.0.cron: "*/5 * * * * * *" has 7 field(s): use 5 (minute hour day-of-month month day-of-week)',
  ]);
});

test('every problem of schedule.json in one pass, also across a malformed entry and a malformed top level', () => {
  const lines = problems({
    listen: { port: 'x' },
    retention: { runs: 0, hours: 3 },
    environments: [
      { env: 'prod', cron: 'every five minutes' },
      { env: 'prod', cron: '*/5 * * * * *', jitterSeconds: 'soon' },
      { env: 'Bad Name', intervalSeconds: 5, colour: 'blue' },
      { env: 'eu', cron: '0 * * * *', timezone: 'Mars/Base' },
      { env: 'both', cron: '0 * * * *', intervalSeconds: 60 },
      { env: 'iv', intervalSeconds: 60, cronSeconds: true },
    ],
  });
  assert.deepEqual(lines, [
    'schedule.json: environments.0.cron: "every five minutes" has 3 field(s): use 5 (minute hour day-of-month month day-of-week)',
    'schedule.json: environments.1.cron: "*/5 * * * * *" has 6 fields: a first field of seconds needs "cronSeconds": true in this environment (or use 5 fields: minute hour day-of-month month day-of-week)',
    'schedule.json: environments.1.env: "prod" is listed twice',
    'schedule.json: environments.1.jitterSeconds: Invalid input: expected number, received string',
    'schedule.json: environments.2: Unrecognized key: "colour"',
    'schedule.json: environments.2.env: must be an environment name (environments/<name>.env)',
    'schedule.json: environments.2.intervalSeconds: Too small: expected number to be >=10',
    'schedule.json: environments.3.timezone: "Mars/Base" is not a time zone (IANA names such as "UTC" or "Europe/Berlin")',
    'schedule.json: environments.4: give exactly one of "cron" or "intervalSeconds"',
    'schedule.json: environments.5.cronSeconds: applies to "cron" only',
    'schedule.json: listen.port: Invalid input: expected number, received string',
    'schedule.json: retention: Unrecognized key: "hours"',
    'schedule.json: retention.runs: Too small: expected number to be >=1',
  ]);
});

test('retention: documented defaults, a top-level setting, an environment override, null = no such limit', () => {
  const c = parseSchedule(
    {
      retention: { days: 3 },
      environments: [{ env: 'a', intervalSeconds: 60 }, { env: 'b', intervalSeconds: 60, retention: { runs: null, days: 30 } }],
    },
    'schedule.json',
  );
  assert.deepEqual(retentionFor(c, c.environments[0]!), { runs: 300, days: 3 });
  assert.deepEqual(retentionFor(c, c.environments[1]!), { runs: null, days: 30 });
  const d = parseSchedule({ environments: [{ env: 'a', intervalSeconds: 60 }] }, 'schedule.json');
  assert.deepEqual(retentionFor(d, d.environments[0]!), { runs: 300, days: 7 });
  assert.deepEqual(d.alertDelivery, { attempts: 4, backoffMs: 500, timeoutMs: 10_000 });
});

test('envFile is relative to schedule.json', () => {
  const c = parseSchedule({ environments: [{ env: 'a', intervalSeconds: 60, envFile: 'env/a.env' }] }, path.join('deploy', 'schedule.json'));
  assert.equal(c.environments[0]!.envFile, path.resolve('deploy', 'env', 'a.env'));
});

test('location: optional, a label value (letters, digits, ".", "_", "-")', () => {
  assert.equal(parseSchedule({ location: 'eu-west-1', environments: [{ env: 'prod', intervalSeconds: 60 }] }, 'schedule.json').location, 'eu-west-1');
  assert.equal(parseSchedule({ environments: [{ env: 'prod', intervalSeconds: 60 }] }, 'schedule.json').location, undefined);
  assert.deepEqual(problems({ location: 'eu/west', environments: [{ env: 'prod', intervalSeconds: 60 }] }), [
    'schedule.json: location: must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. eu, us-east-1)',
  ]);
});

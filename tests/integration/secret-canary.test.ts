/**
 * The canary: run the suite with random API keys (probe and restricted) and a random database
 * password, healthy and under faults that put secrets in harm's way (request timeouts, a
 * cross-origin redirect, a key echoed back, raw or encoded or across a cut), then search every
 * file under the reports folder (zip archives, embedded zips and base64 included) plus the
 * captured stdout and stderr: zero occurrences of any secret, in any form, or of any part of one
 * (tests/helpers/secret-search.ts). The folder is walked generically, so reporters added later
 * (Allure, HTML) are covered too. A deliberately leaky fixture suite proves the search is not
 * vacuous: its keys do reach Playwright's outputs, and the pipeline scrubs them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runPlaywright } from '../../src/run/execute.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { startReferenceTarget, type ReferenceTarget } from '../../src/target/index.ts';
import { cli, configFor, HARNESS_AUTH_FAIL, HARNESS_LIMITS, tempDir } from '../helpers/harness.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { searchBuffer, searchTree } from '../helpers/secret-search.ts';

let target: ReferenceTarget;
let work: string;
let secrets: string[];

before(async () => {
  target = await startReferenceTarget({ authFailLimit: HARNESS_AUTH_FAIL });
  work = tempDir('credlink-canary-');
  const dbPassword = decodeURIComponent(new URL(target.monitorDatabaseUrl).password);
  // Keys derived from the probe key (security.derived-keys-rejected sends them) are secrets too.
  secrets = [...target.apiKeys, target.restrictedApiKey, dbPassword, ...deriveKeys(target.apiKeys[0]!).map((d) => d.key.trim()).filter((k) => k !== target.apiKeys[0])];
  assert.ok(secrets.every((s) => s.length >= 16), 'canary secrets are long random values');
});
after(async () => {
  await target?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The env file references the secrets as ${VARS}, as a real environment file does. */
function envFile(name: string, vars: Record<string, string>): string {
  const file = path.join(work, `${name}.env`);
  const lines = [
    'CREDLINK_TARGET=remote',
    `CREDLINK_BASE_URL=${target.url}`,
    'CREDLINK_API_KEYS=${CANARY_API_KEYS}',
    'CREDLINK_RESTRICTED_API_KEY=${CANARY_RESTRICTED_KEY}',
    `CREDLINK_ALLOWED_ORIGINS=${target.allowedOrigins.join(',')}`,
    'DATABASE_URL=${CANARY_DATABASE_URL}',
    ...Object.entries(HARNESS_LIMITS).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const scenarios: { name: string; faults: ActiveFaults; vars: Record<string, string>; expect: string[]; redacts?: boolean }[] = [
  { name: 'healthy', faults: {}, vars: {}, expect: [] },
  // Every request to the protected endpoint times out, keyed ones included.
  {
    name: 'request-timeout',
    faults: { 'protected-hang': 3000 },
    vars: { CREDLINK_REQUEST_TIMEOUT_MS: '800', CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' },
    expect: ['security.valid-key-accepted'],
  },
  { name: 'cross-origin-redirect', faults: { 'redirect-to-other-origin': true }, vars: {}, expect: ['security.no-redirect'] },
  // The valid key comes back in a 401 body, which becomes evidence: it must show as [REDACTED].
  { name: 'key-echoed', faults: { 'valid-key-rejected': true, 'auth-echoes-key': true }, vars: {}, expect: ['security.key-not-echoed'], redacts: true },
  // Echoed in upper and lower case, hex, base64 (alone and in a Basic credential), URL-encoded, and
  // raw across the 500th, 1000th, 2000th and 4000th character of the body: scrub, then cut.
  { name: 'key-echoed-encoded', faults: { 'valid-key-rejected': true, 'auth-echoes-key-encoded': true }, vars: {}, expect: ['security.key-not-echoed', 'security.valid-key-accepted'], redacts: true },
];

for (const sc of scenarios) {
  test(`canary ${sc.name}: no secret in any report file, stdout or stderr`, async () => {
    await target.setFaults(sc.faults);
    const reportsDir = path.join(work, `reports-${sc.name}`);
    const r = await cli(['run', '--env-file', envFile(`canary-${sc.name}`, sc.vars), '--reports-dir', reportsDir, '--json'], {
      env: {
        CANARY_API_KEYS: target.apiKeys.join(','),
        CANARY_RESTRICTED_KEY: target.restrictedApiKey,
        CANARY_DATABASE_URL: target.monitorDatabaseUrl,
      },
    });
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
    const { files, hits } = searchTree(reportsDir, secrets);
    assert.ok(files >= 4, `the run wrote its reports (${files} files)`);
    hits.push(...searchBuffer('stdout', Buffer.from(r.stdout), secrets), ...searchBuffer('stderr', Buffer.from(r.stderr), secrets));
    assert.deepEqual(hits, []);
    const report = JSON.parse(r.stdout) as { findings: { checkId: string }[] };
    for (const id of sc.expect) assert.ok(report.findings.some((f) => f.checkId === id), `${id} fails under ${sc.name}`);
    if (sc.redacts) assert.ok(searchTree(reportsDir, ['[REDACTED]']).hits.length > 0, 'the echoed key reached the evidence and was redacted');
  });
}

test('canary, leaky suite: call logs, printed keys, attachments, HTML report and traces are scrubbed', async () => {
  await target.setFaults({ 'protected-hang': 3000 });
  const reportsDir = path.join(work, 'reports-leaky');
  const lines: string[] = [];
  const { runDir } = await runPlaywright(
    configFor(target),
    { reportsDir, playwrightConfig: path.join(PROJECT_ROOT, 'tests/fixtures/leaky-suite/playwright.config.ts') },
    [],
    (l) => lines.push(l),
  );
  const { files, hits } = searchTree(reportsDir, secrets);
  hits.push(...searchBuffer('child output', Buffer.from(lines.join('\n')), secrets));
  assert.deepEqual(hits, []);
  // Not vacuous: the outputs exist and the secrets had reached them.
  const all = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const names = all(runDir).map((f) => path.relative(runDir, f));
  assert.ok(names.some((n) => n.endsWith('trace.zip')), `a trace was recorded: ${names.join(', ')}`);
  assert.ok(names.includes(path.join('html', 'index.html')), 'the HTML report was written');
  assert.ok(files >= 6);
  const junit = fs.readFileSync(path.join(runDir, 'junit.xml'), 'utf8');
  assert.match(junit, /Call log: \[removed/, 'the timeout call log reached JUnit and was cut');
  assert.match(junit, /\[REDACTED\]/);
  assert.ok(lines.some((l) => l.includes('[REDACTED]')), 'the printed key reached stdout and was redacted');
  assert.ok(searchTree(path.join(runDir, 'html'), ['[REDACTED]']).hits.length > 0, 'the HTML report held the key and was scrubbed');
});

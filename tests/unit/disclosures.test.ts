/** Judging every answer for disclosures: the bounded scanner, and one finding per run with each kind's routes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerScanner, findDisclosures } from '../../src/security/disclosure.ts';
import { collectDisclosures, withDisclosures } from '../../src/reporter/disclosures.ts';
import { toReport, type TestRecord } from '../../src/reporter/to-report.ts';
import { DISCLOSURE_ANNOTATION, type DisclosureSeen } from '../../src/http/answers.ts';
import { testRecord } from '../helpers/records.ts';

const run = { env: 'staging', runId: 'r1', baseUrl: 'https://x', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };
const seen = (d: DisclosureSeen) => ({ type: DISCLOSURE_ANNOTATION, description: JSON.stringify(d) });
const stack: DisclosureSeen = { kind: 'stack trace', call: 'GET /api/v1/status', status: 500, excerpt: 'at h (/srv/a/b.js:1:2)' };

test('wide scan: credentials by kind (never the value), version banners in bodies; clean answers pass', () => {
  const pw = 'S3cretPassw0rd';
  const hits: [string, string[]][] = [
    [`{"db":"postgres://credlink:${pw}@db.internal:5432/credlink"}`, ['credential']],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE...', ['credential']],
    ['{"aws":"AKIAABCDEFGHIJKLMNOP"}', ['credential']],
    ['<hr><address>Apache/2.4.41 (Ubuntu) Server at x Port 80</address>', ['version banner']],
    ['<center>nginx/1.18.0</center>', ['version banner']],
  ];
  for (const [text, kinds] of hits) {
    const found = findDisclosures(text, { wide: true });
    assert.deepEqual(found.map((d) => d.kind), kinds, text);
    assert.ok(!JSON.stringify(found).includes(pw), 'a credential is named by its kind only');
  }
  for (const clean of ['{"status":"ok","version":"1.4.2"}', '{"algorithm":"HMAC-SHA256","signature":"abc"}', 'postgres://db.internal:5432/credlink', '{"file":"/srv/app/uploads/a.js"}']) {
    assert.deepEqual(findDisclosures(clean, { wide: true, paths: false }), [], clean);
  }
});

test('scanner: internal paths only in error answers, stack traces in any; bounded per body and in total', () => {
  const s = new AnswerScanner(100, 40);
  assert.deepEqual(s.scan(200, '{"file":"/srv/app/src/x.js"}'), [], 'a 2xx may name files');
  assert.deepEqual(s.scan(500, '{"file":"/srv/app/src/x.js"}').map((d) => d.kind), ['internal path']);
  assert.deepEqual(s.scan(200, 'Error\n    at h (/srv/a.js:1:2)').map((d) => d.kind), ['stack trace']);
  assert.deepEqual(s.scan(500, `${'.'.repeat(40)}    at h (/srv/a.js:1:2)`), [], 'past the per-body cap: not read');
  assert.ok(s.scanned <= 100 + 40);
  assert.deepEqual(s.scan(500, 'Error\n    at h (/srv/a.js:1:2)'), [], 'the total is spent');
  assert.equal(s.skipped, 1);
  assert.deepEqual(s.scan(null, 'x'), []);
});

test('disclosures of every check: one line per kind with the routes it was seen on, once each', () => {
  const tests: TestRecord[] = [
    testRecord('health.status', { annotations: [{ type: 'runbook', description: 'health.status' }, seen(stack), seen({ ...stack, kind: 'internal path', excerpt: '/srv/a/b.js' })] }),
    testRecord('perf.latency', { annotations: [{ type: 'runbook', description: 'perf.latency' }, seen(stack), seen({ ...stack, call: 'GET /health' })] }),
  ];
  const found = collectDisclosures(tests);
  assert.deepEqual(found.map((f) => [f.kind, f.routes]), [
    ['stack trace', ['GET /api/v1/status (500)', 'GET /health (500)']],
    ['internal path', ['GET /api/v1/status (500)']],
  ]);
});

test('security.error-disclosure passed on its own probes: it fails with what other answers disclosed (SEV-2)', () => {
  const tests = [
    testRecord('security.error-disclosure', { annotations: [{ type: 'runbook', description: 'security.error-disclosure' }, { type: 'response', description: JSON.stringify({ call: 'GET /made-up', status: 404, class: 'route-missing', count: 1 }) }] }),
    testRecord('health.status', { annotations: [{ type: 'runbook', description: 'health.status' }, seen(stack)] }),
  ];
  const r = toReport(tests, run);
  const f = r.findings.find((x) => x.checkId === 'security.error-disclosure');
  assert.ok(f);
  assert.equal(f.severity, 'SEV-2');
  assert.match(f.actual, /^a stack trace \("at h \(\/srv\/a\/b\.js:1:2\)"\) in answers to GET \/api\/v1\/status \(500\)$/);
  assert.deepEqual(f.responses, [], 'its own probes\' answers are not what it reports');
  assert.equal(r.counts.failed, 1);
  assert.equal(r.counts.passed, 1);
});

test('not selected, it is reported all the same; failed on its own, it also names the other answers; a credential is SEV-1', () => {
  const cred: DisclosureSeen = { kind: 'credential', call: 'GET /x', status: 500, excerpt: 'a connection URL with its password' };
  const absent = toReport([testRecord('health.root', { annotations: [{ type: 'runbook', description: 'health.root' }, seen(cred)] })], run);
  const f = absent.findings.find((x) => x.checkId === 'security.error-disclosure');
  assert.ok(f);
  assert.equal(f.severity, 'SEV-1');
  assert.equal(absent.counts.total, 2);
  const own = withDisclosures([
    testRecord('security.error-disclosure', {
      status: 'failed',
      outcome: 'unexpected',
      annotations: [{ type: 'runbook', description: 'security.error-disclosure' }, { type: 'actual', description: 'the 500 answer exposes a stack trace' }, { type: 'impact', description: '{"kind":"security","class":"issue"}' }],
    }),
    testRecord('health.root', { annotations: [{ type: 'runbook', description: 'health.root' }, seen(cred)] }),
  ], 'staging');
  const ann = own[0]!.annotations;
  assert.match(ann.filter((a) => a.type === 'actual').at(-1)!.description!, /^the 500 answer exposes a stack trace; other answers of the run: a credential \(a connection URL with its password\) in answers to GET \/x \(500\)$/);
  assert.equal(ann.filter((a) => a.type === 'impact').at(-1)!.description, '{"kind":"security","class":"vulnerability"}');
  assert.deepEqual(withDisclosures([testRecord('health.root')], 'staging'), [testRecord('health.root')], 'nothing disclosed: nothing changes');
  const alone = [testRecord('security.error-disclosure', { status: 'failed', outcome: 'unexpected', annotations: [{ type: 'runbook', description: 'security.error-disclosure' }, { type: 'actual', description: 'own' }, seen(stack)] })];
  assert.deepEqual(withDisclosures(alone, 'staging'), alone, 'what it found itself is already in its finding');
});

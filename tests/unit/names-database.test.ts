/** Which failed answers name the database (src/http/names-database.ts): both ways, with the false friends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseNamedIn, NAMES_BODY_MAX } from '../../src/http/names-database.ts';

const named: [status: number, body: string, excerpt: RegExp][] = [
  [500, '{"error":"connect ECONNREFUSED 127.0.0.1:5432"}', /ECONNREFUSED 127\.0\.0\.1:5432/],
  [500, '{"error":"Connection terminated unexpectedly"}', /Connection terminated unexpectedly/],
  [500, 'Error: timeout exceeded when trying to connect', /timeout exceeded when trying to connect/],
  [500, '{"message":"connection to server at \\"db.internal\\" (10.0.0.5), port 5432 failed: Connection refused"}', /connection to server at .* failed/],
  [503, 'could not connect to postgres: is the server running?', /could not connect to postgres/],
  [500, '{"error":"FATAL: the database system is shutting down"}', /the database system is shutting down/],
  [500, '{"error":"sorry, too many clients already"}', /too many clients already/],
  [500, '{"error":"db_error","code":"57P01"}', /"code":"57P01"/],
  [500, 'ERROR (SQLSTATE 08006): lost it', /SQLSTATE 08006/],
  [502, '{"error":"Database connection failed"}', /Database connection failed/],
  [500, '{"error":"Failed to reach the database"}', /Failed to reach the database/],
  [500, '{"error":"DB error: cannot acquire connection"}', /DB error/],
  // A health document answered with a 503 that says its database is down.
  [503, '{"status":"degraded","checks":{"database":"down"}}', /"database":"down"/],
  [503, '{"status":"fail","checks":{"postgres":"unreachable"}}', /"postgres":"unreachable"/],
];

const notNamed: [status: number | null, body: string][] = [
  [500, '{"error":"internal_error"}'],
  [503, '{"error":"service_unavailable"}'],
  [502, '<html><body><h1>502 Bad Gateway</h1><center>nginx</center></body></html>'],
  [503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'],
  [500, '{"error":"connect ECONNREFUSED 127.0.0.1:8080"}'],
  [500, '{"error":"worker pool exhausted"}'],
  [500, '{"error":"request timeout"}'],
  // The database is fine in the document; something else failed.
  [503, '{"status":"degraded","error":"cache down","checks":{"database":"ok","cache":"down"}}'],
  [500, '{"error":"internal_error","checks":{"database":"ok"}}'],
  [503, '{"status":"fail","checks":{"database":"unknown"}}'],
  // A field whose name only contains the word.
  [500, '{"error":"internal_error","database_latency_ms":12}'],
  // A stack frame whose source file sits in a "database" folder, next to an unrelated error.
  [500, '{"error":"Not allowed by CORS","stack":"Error: Not allowed by CORS\\n    at origin (/srv/app/src/database/pool.js:12:5)\\n    at errors (/srv/app/src/db/errors.ts:3:1)"}'],
  // Not a failed answer: a 2xx or 4xx may say anything about its database.
  [200, '{"error":"Database connection failed"}'],
  [404, '{"error":"database not found"}'],
  [null, ''],
  [500, ''],
];

test('failed answers that name the database: the excerpt shows what named it', () => {
  for (const [status, body, excerpt] of named) {
    const got = databaseNamedIn(status, body);
    assert.ok(got, `${status} ${body}: names the database`);
    assert.match(got, excerpt, body);
    assert.ok(got.length <= 160, got);
  }
});

test('false friends: generic errors, other ports and pools, a database reported ok, non-5xx answers', () => {
  for (const [status, body] of notNamed) assert.equal(databaseNamedIn(status, body), undefined, `${status} ${body}`);
});

test('only the first NAMES_BODY_MAX characters are read; a password in the excerpt is masked', () => {
  assert.equal(databaseNamedIn(500, `${' '.repeat(NAMES_BODY_MAX)}Database connection failed`), undefined);
  const got = databaseNamedIn(500, '{"error":"could not connect to postgres://credlink:S3cret@db:5432/credlink"}');
  assert.ok(got && !got.includes('S3cret'), got);
  assert.match(got, /credlink:\*\*\*@/);
});

test('from the check records to every output: the naming answers mark the responses, the incident carries them, each renderer shows them', async () => {
  const { toReport } = await import('../../src/reporter/to-report.ts');
  const { runbookReportSchema } = await import('../../src/reporter/schema.ts');
  const { renderMarkdown } = await import('../../src/reporter/markdown.ts');
  const { renderSummary } = await import('../../src/reporter/summary.ts');
  const { renderHtml } = await import('../../src/report/html.ts');
  const { ANSWER_ANNOTATION } = await import('../../src/http/answers.ts');
  const { testRecord } = await import('../helpers/records.ts');
  const failing = (id: string, call: string | undefined, named: boolean) =>
    testRecord(id, {
      status: 'failed',
      outcome: 'unexpected',
      errors: [`[X] (500) == 200 on ${call ?? 'db'} (staging)`],
      annotations: [
        { type: 'runbook', description: id },
        ...(id.startsWith('health.') ? [{ type: 'impact', description: JSON.stringify({ kind: 'unavailable', status: 500 }) }] : []),
        ...(call ? [{ type: ANSWER_ANNOTATION, description: JSON.stringify({ call, status: 500, class: 'server-error', count: 1, ...(named ? { names: ['database'] } : {}) }) }] : []),
      ],
      evidence: named && call ? [{ name: `answer naming the database: ${call} (500)`, contentType: 'text/plain', body: 'Connection terminated unexpectedly' }] : [],
    });
  const records = (named: boolean) => [failing('db.connect', undefined, false), failing('health.root', 'GET /health', named), failing('health.status', 'GET /api/v1/status', named), failing('health.api-health', 'GET /api/health', named)];
  const run = { env: 'staging', runId: 'r1', baseUrl: 'https://x', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };
  const r = toReport(records(true), run);
  assert.ok(runbookReportSchema.safeParse(r).success);
  assert.deepEqual(r.incidents.map((i) => [i.key, i.severity]), [['database-unreachable', 'SEV-0']]);
  assert.equal(r.incidents[0]!.evidence?.length, 3);
  assert.deepEqual(r.findings.find((f) => f.checkId === 'health.root')!.responses[0]!.names, ['database']);
  assert.match(renderMarkdown(r), /- answer naming the database: GET \/health \(500\): `Connection terminated unexpectedly`/);
  assert.match(renderSummary(r, '/tmp/x'), /answer naming the database: GET \/health \(500\): "Connection terminated unexpectedly" \(and 2\s+more\)/);
  assert.match(renderHtml(r), /answer naming the database: GET \/health \(500\): <code>Connection terminated unexpectedly<\/code>/);
  // The same failures without a naming answer: two incidents, no ordering evidence shown.
  const apart = toReport(records(false), run);
  assert.deepEqual(apart.incidents.map((i) => i.key).sort(), ['database-unreachable', 'outage']);
  assert.doesNotMatch(renderMarkdown(apart) + renderSummary(apart, '/tmp/x'), /answer naming the database/);
});

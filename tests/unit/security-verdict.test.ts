import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeHardening } from '../../src/security/headers.ts';
import { judgeRejection, securityImpact, worst } from '../../src/security/verdict.ts';

test('rejection verdicts: 2xx breach, 5xx issue, 401/429/3xx fine, other 4xx hardening', () => {
  const table: [number | null, string | undefined][] = [
    [401, undefined], [429, undefined], [307, undefined], [200, 'breach'], [204, 'breach'],
    [500, 'issue'], [503, 'issue'], [null, 'issue'], [400, 'hardening'], [404, 'hardening'],
  ];
  for (const [status, cls] of table) assert.equal(judgeRejection('c', status).class, cls, String(status));
  assert.equal(judgeRejection('c', 431, [431]).class, undefined);
});

test('the worst class wins', () => {
  const r = [judgeRejection('a', 500), judgeRejection('b', 200), judgeRejection('c', 404)];
  assert.equal(worst(r), 'breach');
  assert.deepEqual(securityImpact(r), { kind: 'security', class: 'breach' });
  assert.equal(securityImpact([judgeRejection('a', 401)]), undefined);
});

const hardened = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};

test('hardening headers: a hardened response passes on https', () => {
  assert.deepEqual(judgeHardening('GET /health', hardened, true), []);
  assert.deepEqual(judgeHardening('GET /health', { ...hardened, 'x-frame-options': '', 'content-security-policy': "frame-ancestors 'none'" }, true), []);
});

test('hardening headers: HSTS counts on https only, as an issue; banners and the rest are hardening', () => {
  const noHsts = { ...hardened, 'strict-transport-security': 'max-age=0' };
  assert.deepEqual(judgeHardening('x', noHsts, false), []);
  assert.deepEqual(judgeHardening('x', noHsts, true).map((r) => r.class), ['issue']);
  const banner = judgeHardening('x', { ...hardened, 'x-powered-by': 'Express', server: 'nginx/1.25.3' }, true);
  assert.deepEqual(banner.map((r) => r.class), ['hardening', 'hardening']);
  assert.deepEqual(judgeHardening('x', { server: 'nginx' }, false).map((r) => r.problem?.slice(0, 22)), ['X-Content-Type-Options', 'no frame protection (X']);
});

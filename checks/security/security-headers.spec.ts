/**
 * The "hardened API" promise: API responses carry X-Content-Type-Options: nosniff, frame
 * protection, HSTS on https targets, and no X-Powered-By or version banner. The rules are
 * src/security/headers.ts (unit-tested, HSTS included); this check applies them to real answers.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { send } from '../../src/probes/http.ts';
import { judgeHardening } from '../../src/security/headers.ts';
import { securityImpact, summarize, type CaseResult } from '../../src/security/verdict.ts';

const { protectedEndpoint: ep, paths, baseUrl } = runConfig();

test('API responses carry nosniff, frame protection and HSTS (https), and no X-Powered-By or version banner', runbook('security.headers'), async ({ api, check }) => {
  const https = baseUrl.startsWith('https:');
  const all: { method: typeof ep.method; path: string | null; optional?: boolean }[] = [
    { method: 'GET', path: paths.health },
    { method: 'GET', path: paths.status },
    // Without a key: the 401 answer is an API response too (one failed attempt, no key spent).
    { method: ep.method, path: ep.path, optional: true },
  ];
  const requests = all.filter((r): r is typeof r & { path: string } => r.path !== null);
  const results: CaseResult[] = [];
  const seen: unknown[] = [];
  for (const r of requests) {
    let s;
    try {
      // The keyless call is optional: when the request budget has no room for it right now (the
      // failed-attempt check may have just spent it), the other answers are judged without it.
      s = await send(r.optional ? api.variant({ maxWaitMs: 0 }) : api, { method: r.method, path: r.path });
    } catch (err) {
      if (r.optional && (err as { budget?: unknown }).budget === true) continue;
      throw err;
    }
    const what = `${r.method} ${r.path}`;
    if (s.status === null) continue;
    results.push(...judgeHardening(what, s.headers, https));
    seen.push({ call: what, status: s.status, headers: s.headers });
  }
  test.skip(seen.length === 0, 'no API endpoint answered: the health checks cover availability');
  const impact = securityImpact(results);
  if (impact) await check.evidence('response headers', seen, 'curl -sI <url>');
  check.that({
    label: 'HEADERS',
    ok: !impact,
    actual: impact ? summarize(results) : 'all present',
    expected: `nosniff, frame protection${https ? ', HSTS' : ''}, no X-Powered-By, no version in Server`,
    call: requests.map((r) => `${r.method} ${r.path}`).join(', '),
    impact,
  });
});

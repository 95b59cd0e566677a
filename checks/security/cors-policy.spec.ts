/**
 * Runbook "Incident: CORS Violations": preflights from each allowed origin succeed with the
 * real method, the X-API-Key and Content-Type headers and Vary: Origin, and the answer to the
 * actual request allows the origin too (Fetch's CORS check); a disallowed origin,
 * and origins that only look allowed (null, suffix, prefix, http), get no allow-origin header
 * (a reflection or * = any origin: a vulnerability), and a disallowed origin is
 * refused with 403 or served without CORS headers, never with a 5xx (which inflates the
 * 5xx error rate). Preflights carry no key: nothing here spends the auth budget.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { inconclusiveReason, securityImpact, summarize, unanswered, type CaseResult } from '../../src/security/verdict.ts';
import { lookAlikeOrigins } from '../../src/security/cors-origins.ts';

const { protectedEndpoint: ep, paths, allowedOrigins, security } = runConfig();
// Endpoints this deployment has (a path declared none is left out).
const targets = [
  { path: ep.path, method: ep.method },
  { path: paths.health, method: 'GET' },
].filter((t): t is { path: string; method: typeof ep.method } => t.path !== null);
const skipWithoutTargets = () => test.skip(targets.length === 0, 'no protected or health endpoint on this deployment (both paths are none)');
/** The CORS headers of an answer (and Vary), for the evidence. */
const corsHeaders = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('access-control-') || k === 'vary'));
const tokens = (v: string | undefined) => (v ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);

function preflight(api: Parameters<typeof send>[0], origin: string, path: string, method: string): Promise<HttpSample> {
  return send(api, {
    method: 'OPTIONS',
    path,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'x-api-key,content-type' },
  });
}

test('each allowed origin passes the preflight with its methods, headers and Vary: Origin, and the actual request\'s answer allows it too', runbook('security.cors-allowed-origins'), async ({ api, check }) => {
  test.skip(allowedOrigins.length === 0, 'no allowed origins configured (CREDLINK_ALLOWED_ORIGINS)');
  skipWithoutTargets();
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  for (const origin of allowedOrigins) {
    for (const t of targets) {
      const s = await preflight(api, origin, t.path, t.method);
      const h = s.headers;
      const c = `${origin} OPTIONS ${t.path}`;
      answers.push({ case: c, status: s.status, error: s.error, headers: corsHeaders(h) });
      // A 429 proves nothing about the CORS policy: never a pass, never "blocked".
      if (s.status === 429) {
        results.push({ case: c, status: 429, inconclusive: inconclusiveReason(429) });
        continue;
      }
      const problems: [string, 'issue' | 'hardening'][] = [];
      const ok2xx = s.status !== null && s.status >= 200 && s.status < 300;
      // "*" lets the origin in (security.cors-no-any-origin reports it): not a blocked origin.
      const acao = h['access-control-allow-origin'];
      if (!ok2xx || (acao !== origin && acao !== '*')) {
        problems.push([`origin blocked (status ${s.status ?? s.error}, allow-origin ${h['access-control-allow-origin'] ?? 'absent'})`, 'issue']);
      } else {
        const methods = tokens(h['access-control-allow-methods']);
        if (!methods.includes(t.method.toLowerCase()) && !methods.includes('*')) problems.push([`allow-methods lacks ${t.method}`, 'issue']);
        const allowHeaders = tokens(h['access-control-allow-headers']);
        const missing = ['x-api-key', 'content-type'].filter((x) => !allowHeaders.includes(x) && !allowHeaders.includes('*'));
        if (missing.length) problems.push([`allow-headers lacks ${missing.join(', ')}`, 'issue']);
        if (!tokens(h.vary).includes('origin') && !tokens(h.vary).includes('*')) problems.push(['no Vary: Origin (caches may serve one origin\'s answer to another)', 'hardening']);
      }
      for (const [problem, cls] of problems) results.push({ case: c, status: s.status, problem, class: cls });
      if (!problems.length) results.push({ case: c, status: s.status });
    }
  }
  // Fetch's CORS check is made on the answer to the actual request too, not only on the preflight's:
  // one read-only GET from the first allowed origin (a CORS layer mounted on OPTIONS alone passes
  // every preflight while browsers block every answer).
  if (paths.health) {
    const origin = allowedOrigins[0]!;
    const s = await send(api, { path: paths.health, headers: { origin } });
    const c = `${origin} GET ${paths.health} (the actual request)`;
    const acao = s.headers['access-control-allow-origin'];
    answers.push({ case: c, status: s.status, error: s.error, headers: corsHeaders(s.headers) });
    if (s.status === 429) results.push({ case: c, status: 429, inconclusive: inconclusiveReason(429) });
    else if (s.status === null) results.push(unanswered(c, s)!);
    // A proxy's 5xx carries no CORS headers whatever the service's policy: the health checks judge that answer.
    else if (s.status >= 500) results.push({ case: c, status: s.status, inconclusive: `${s.status} on the health path: the actual request's CORS headers are not judged on an error answer` });
    else if (acao !== origin && acao !== '*') results.push({ case: c, status: s.status, problem: `the answer to the actual request carries ${acao === undefined ? 'no allow-origin' : `allow-origin ${acao}`}: browsers block it although the preflight passed`, class: 'issue' });
    else results.push({ case: c, status: s.status });
  }
  const impact = securityImpact(results, 'the CORS policy');
  if (impact) await check.evidence('preflight answers from the allowed origins', answers, 'curl -H "Origin: <origin>" -H "Access-Control-Request-Method: POST" -X OPTIONS <url> -v');
  check.that({
    label: 'CORS',
    ok: !impact,
    actual: summarize(results),
    expected: 'allow-origin == the origin (on the preflight and on the actual request), methods and X-API-Key/Content-Type allowed, Vary: Origin',
    call: `OPTIONS ${targets.map((t) => t.path).join(', ')}`,
    impact,
  });
});

/** The same three requests from the disallowed origin, for both disallowed-origin checks. */
async function fromDisallowed(api: Parameters<typeof send>[0]): Promise<{ c: string; s: HttpSample }[]> {
  const origin = security.disallowedOrigin;
  const out: { c: string; s: HttpSample }[] = [];
  for (const t of targets) out.push({ c: `OPTIONS ${t.path}`, s: await preflight(api, origin, t.path, t.method) });
  if (paths.health) out.push({ c: `GET ${paths.health}`, s: await send(api, { path: paths.health, headers: { origin } }) });
  return out;
}

const skipIfAllowed = () => {
  skipWithoutTargets();
  test.skip(allowedOrigins.includes(security.disallowedOrigin), `CREDLINK_DISALLOWED_ORIGIN ${security.disallowedOrigin} is in CREDLINK_ALLOWED_ORIGINS`);
};

test('a disallowed or look-alike origin (null, suffix, prefix, http) gets no allow-origin header: no reflection, no * with credentials', runbook('security.cors-no-any-origin'), async ({ api, check }) => {
  skipIfAllowed();
  const results: CaseResult[] = [];
  const answers: { c: string; s: HttpSample; origin: string }[] = (await fromDisallowed(api)).map((a) => ({ ...a, origin: security.disallowedOrigin }));
  // Origins that look allowed: null, the allowed origin with a suffix, a prefix on its host, http (src/security/cors-origins.ts).
  for (const l of lookAlikeOrigins(allowedOrigins)) {
    for (const t of targets) answers.push({ c: `${l.why}: OPTIONS ${t.path}`, s: await preflight(api, l.origin, t.path, t.method), origin: l.origin });
  }
  for (const { c, s, origin } of answers) {
    const acao = s.headers['access-control-allow-origin'];
    const creds = (s.headers['access-control-allow-credentials'] ?? '').toLowerCase() === 'true';
    if (acao === origin && origin === 'null') results.push({ case: c, status: s.status, problem: `allows Origin: null${creds ? ' with credentials' : ''}: any site can send it from a sandboxed iframe`, class: 'vulnerability' });
    else if (acao === origin && origin === security.disallowedOrigin) results.push({ case: c, status: s.status, problem: `reflects the disallowed origin${creds ? ' with credentials' : ''}`, class: 'vulnerability' });
    else if (acao === origin) results.push({ case: c, status: s.status, problem: `allows the origin ${origin}${creds ? ' with credentials' : ''}`, class: 'vulnerability' });
    else if (acao === '*') results.push({ case: c, status: s.status, problem: `allow-origin *${creds ? ' with credentials' : ''}: any origin`, class: 'vulnerability' });
    else if (acao === 'null') results.push({ case: c, status: s.status, problem: 'allow-origin null (sandboxed pages of any origin)', class: 'vulnerability' });
    // Without an allow-origin the browser still refuses the answer: a hardening gap, the credentials header is set before the allow-list is asked.
    else if (creds) results.push({ case: c, status: s.status, problem: 'Access-Control-Allow-Credentials: true to an origin it does not allow (no allow-origin)', class: 'hardening' });
    else if (s.status === 429) results.push({ case: c, status: 429, inconclusive: inconclusiveReason(429) });
    else results.push(unanswered(c, s) ?? { case: c, status: s.status });
  }
  const impact = securityImpact(results, 'the CORS policy');
  if (impact) {
    await check.evidence('answers to disallowed and look-alike origins', answers.map(({ c, s, origin }) => ({ case: c, origin, status: s.status, allowOrigin: s.headers['access-control-allow-origin'] ?? null, allowCredentials: s.headers['access-control-allow-credentials'] ?? null })), `curl -H "Origin: ${security.disallowedOrigin}" -X OPTIONS <url> -v`);
  }
  check.that({ label: 'CORS', ok: !impact, actual: summarize(results), expected: `no Access-Control-Allow-Origin for ${security.disallowedOrigin} or an origin that only looks allowed (null, suffix, prefix, http)`, call: [...new Set(answers.map((a) => a.c.replace(/^.*: /, '')))].join(', '), impact });
});

test('a disallowed origin is refused with 403 or served without CORS headers, never 5xx', runbook('security.cors-disallowed-not-5xx'), async ({ api, check }) => {
  skipIfAllowed();
  const answers = await fromDisallowed(api);
  const results: CaseResult[] = answers.map(({ c, s }) =>
    s.status === null
      ? { case: c, status: null, problem: `no answer (${s.error})`, class: 'issue' }
      : s.status >= 500
        ? { case: c, status: s.status, problem: `${s.status}: a CORS rejection counted as a server error`, class: 'issue' }
        : s.status === 429
          ? { case: c, status: 429, inconclusive: inconclusiveReason(429) }
          : { case: c, status: s.status },
  );
  const impact = securityImpact(results, 'the CORS policy');
  if (impact) await check.evidence(`answers to Origin: ${security.disallowedOrigin}`, answers.map(({ c, s }) => ({ case: c, status: s.status, body: s.body })), undefined, { maxChars: 300 });
  check.that({ label: 'STATUS', ok: !impact, actual: summarize(results), expected: '403, or 2xx without CORS headers; never 5xx', call: answers.map((a) => a.c).join(', '), impact });
});

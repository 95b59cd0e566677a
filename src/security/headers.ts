/**
 * The hardening headers an API response must carry, as a pure function of its headers
 * (lower-case names, as Playwright returns them). HSTS only counts for https targets.
 */
import type { CaseResult } from './verdict.ts';

export function judgeHardening(what: string, headers: Record<string, string>, https: boolean): CaseResult[] {
  const out: CaseResult[] = [];
  const bad = (problem: string, cls: 'issue' | 'hardening') => out.push({ case: what, status: null, problem, class: cls });
  if ((headers['x-content-type-options'] ?? '').trim().toLowerCase() !== 'nosniff') bad('X-Content-Type-Options is not "nosniff"', 'hardening');
  const xfo = (headers['x-frame-options'] ?? '').trim().toUpperCase();
  const csp = headers['content-security-policy'] ?? '';
  if (xfo !== 'DENY' && xfo !== 'SAMEORIGIN' && !/frame-ancestors/i.test(csp)) bad('no frame protection (X-Frame-Options or CSP frame-ancestors)', 'hardening');
  if (https) {
    const m = /max-age\s*=\s*"?(\d+)/i.exec(headers['strict-transport-security'] ?? '');
    if (!m || Number(m[1]) <= 0) bad('no Strict-Transport-Security with a positive max-age on an https API', 'issue');
  }
  if (headers['x-powered-by'] !== undefined) bad(`X-Powered-By banner present ("${headers['x-powered-by']}")`, 'hardening');
  const server = headers.server;
  if (server !== undefined && /\d/.test(server)) bad(`Server header names a version ("${server}")`, 'hardening');
  return out;
}

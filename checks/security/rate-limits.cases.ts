/** Rate limits: RFC 6585 429 and Retry-After (RFC 9110), the RateLimit header draft. */
import type { Contract } from '../contract-cases.ts';

export const rateLimits: Contract = {
  id: 'rate-limits',
  title: 'Rate limits',
  summary: 'Failed authentication is limited per client with 429 and Retry-After; a limited answer never counts as a pass; the monitor itself stays within the declared limits.',
  standards: [
    { name: 'RFC 6585', url: 'https://www.rfc-editor.org/rfc/rfc6585#section-4' },
    { name: 'RFC 9110', url: 'https://www.rfc-editor.org/rfc/rfc9110#name-retry-after' },
    { name: 'RateLimit header draft', url: 'https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/' },
  ],
  cases: [
    { case: '429 when a client sends too many requests (here: failed authentication attempts)', source: 'RFC 6585 §4', checks: ['security.auth-rate-limit'], faults: ['auth-no-rate-limit'] },
    { case: '429 carries Retry-After', source: 'RFC 6585 §4; RFC 9110 Retry-After', checks: ['security.auth-rate-limit'], faults: ['rate-limit-no-retry-after'], note: 'a 429 without Retry-After, or one beyond the window, is a hardening gap (SEV-3)' },
    { case: 'the limit counts per client, not per presented key (rotating keys)', source: 'WSTG-ATHN-03', checks: ['security.auth-rate-limit'], faults: ['limiter-per-key'] },
    { case: 'a 429 says nothing about what the check tests: never a pass', source: 'RFC 6585 §4 (the request was not processed)', checks: ['security.no-key-rejected', 'security.wrong-key-rejected', 'security.malformed-keys-rejected'], faults: ['limiter-before-auth'], note: 'the check reports a monitoring gap naming what was not tested' },
    { case: 'RateLimit-Remaining: 0 on a served answer (the next request in the window may be refused)', source: 'RateLimit header draft', notCovered: 'a pacing signal for the monitor\'s request budget (src/budget/rate-headers.ts), not a finding about the service: only a 429 (or the service\'s declared answer) is a limit' },
    { case: 'the monitor stays within the declared limits and honours Retry-After and RateLimit-* headers', source: 'RFC 9110 Retry-After; RateLimit header draft', notCovered: 'a property of the monitor (its request budget, src/budget/), not of the service: unit- and integration-tested there' },
    { case: 'the general per-client limit (100 a minute) answers 429', source: 'RFC 6585 §4', notCovered: 'reaching it means sending more than the service allows: unsafe against production, and it would lock the monitor out of every other check' },
  ],
};

/** API-key authentication: OWASP WSTG authentication and authorization testing, RFC 9110's 401 and 403. */
import type { Contract } from '../contract-cases.ts';

export const apiKeyAuth: Contract = {
  id: 'api-key-auth',
  title: 'API-key authentication',
  summary: 'The protected endpoint serves a valid key presented as the environment declares, refuses everything else with 401 (403 for a key without the permission), and never leaks, redirects or loosely matches a key.',
  standards: [
    { name: 'WSTG-ATHN', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/04-Authentication_Testing/' },
    { name: 'WSTG-ATHZ', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/05-Authorization_Testing/' },
    { name: 'RFC 9110', url: 'https://www.rfc-editor.org/rfc/rfc9110#name-401-unauthorized' },
  ],
  cases: [
    { case: 'a valid key is served', source: 'Runbook Incident: API Key Authentication Failures', checks: ['security.valid-key-accepted'], faults: ['valid-key-rejected'] },
    { case: 'no credentials: 401', source: 'RFC 9110 401 Unauthorized; WSTG-ATHN-04', checks: ['security.no-key-rejected'], faults: ['auth-bypass'] },
    { case: 'wrong credentials: 401', source: 'RFC 9110 401 Unauthorized; WSTG-ATHN-04', checks: ['security.wrong-key-rejected'], faults: ['auth-bypass'] },
    { case: 'authenticated without the permission: 403', source: 'RFC 9110 403 Forbidden; WSTG-ATHZ-02', checks: ['security.restricted-key-forbidden'], faults: ['permission-not-enforced'] },
    { case: 'the key accepted where the scheme does not put it (other headers, Authorization: Bearer, query parameters)', source: 'WSTG-ATHN-04 (bypassing the authentication schema)', checks: ['security.key-strict'], faults: ['auth-any-header', 'bearer-accepted'] },
    { case: 'a key matched loosely (other letter case, prefix, suffix, whitespace, one character off)', source: 'WSTG-ATHN-04', checks: ['security.derived-keys-rejected'], faults: ['auth-case-insensitive', 'derived-key-accepted'] },
    { case: 'empty, malformed, oversized and non-ASCII credentials refused without a server error', source: 'WSTG-INPV (input validation); RFC 9110 5xx', checks: ['security.malformed-keys-rejected'], faults: ['auth-malformed-key-500'] },
    { case: 'failed attempts locked out or limited', source: 'WSTG-ATHN-03 (weak lock out mechanism)', checks: ['security.auth-rate-limit'], faults: ['auth-no-rate-limit', 'limiter-per-key'] },
    { case: 'the credential reflected in an answer', source: 'WSTG-ERRH-01 (information leakage in answers)', checks: ['security.key-not-echoed'], faults: ['auth-echoes-key', 'auth-echoes-key-encoded'] },
    { case: 'a keyed request redirected to another origin (clients forward X-API-Key)', source: 'WSTG-ATHN-01 (credentials over a secure channel)', checks: ['security.no-redirect'], faults: ['redirect-to-other-origin'] },
    { case: 'credentials only over https (HSTS)', source: 'WSTG-ATHN-01; WSTG-CONF-07', checks: ['security.headers'], noFault: 'the reference target serves plain http, where HSTS is not judged (a browser ignores it there); the failing side is unit-tested on https headers (tests/unit/security-verdict.test.ts)', note: 'HSTS is required on an https base URL; a plain http base URL is the environment\'s own declaration' },
    { case: 'default or well-known credentials accepted', source: 'WSTG-ATHN-02', notCovered: 'trying guessed keys against production is an attack, not a check; which keys exist is reviewed by a person (manual.api-key-secret)' },
    { case: 'timing differences of the key comparison', source: 'WSTG-ATHN-04', notCovered: 'measuring it takes thousands of timed requests: beyond a read-only monitor within the service\'s rate limits' },
    { case: 'key rotation and expiry', source: 'OWASP API Security Top 10 API2:2023 (broken authentication)', notCovered: 'needs the key store (a Secret the monitor may not read): manual.api-key-secret' },
  ],
};

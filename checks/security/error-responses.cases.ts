/** Error responses: OWASP WSTG error handling and information gathering, RFC 9110 / RFC 6585 status meanings. */
import type { Contract } from '../contract-cases.ts';

export const errorResponses: Contract = {
  id: 'error-responses',
  title: 'Error responses and information leakage',
  summary: 'No answer, of any status, to any check or to the latency probe, discloses a stack trace, an internal path, a credential or a server version; statuses mean what HTTP says.',
  standards: [
    { name: 'WSTG-ERRH', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/08-Testing_for_Error_Handling/' },
    { name: 'WSTG-INFO', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/' },
    { name: 'RFC 9110', url: 'https://www.rfc-editor.org/rfc/rfc9110#name-status-codes' },
    { name: 'RFC 6585', url: 'https://www.rfc-editor.org/rfc/rfc6585' },
  ],
  cases: [
    { case: 'a stack trace in an error answer', source: 'WSTG-ERRH-02 (stack traces)', checks: ['security.error-disclosure'], faults: ['stack-traces', 'leaky-500'] },
    { case: 'an internal file path in an error answer', source: 'WSTG-ERRH-01 (improper error handling)', checks: ['security.error-disclosure'], faults: ['stack-traces', 'leaky-500'] },
    { case: 'disclosure in any answer, not only the ones sent to provoke errors', source: 'WSTG-ERRH-01', checks: ['security.error-disclosure'], faults: ['leaky-500'], note: 'every answer a check or the latency probe receives is scanned (16 KiB of each body, 8 MiB per process); one line per kind with its routes' },
    { case: 'a credential in an answer (connection URL with its password, private key, cloud access key id)', source: 'WSTG-ERRH-01; WSTG-INFO-05 (metafiles and comments for leakage)', checks: ['security.error-disclosure'], faults: ['leaky-config'], note: 'named by its kind, never by its value' },
    { case: 'the server software and version in a body', source: 'WSTG-INFO-02 (fingerprint web server)', checks: ['security.error-disclosure'], faults: ['leaky-config'] },
    { case: 'the server software and version in Server or X-Powered-By', source: 'WSTG-INFO-02', checks: ['security.headers'], faults: ['missing-security-headers'] },
    { case: '401 for missing or wrong credentials', source: 'RFC 9110 401 Unauthorized', checks: ['security.no-key-rejected', 'security.wrong-key-rejected'], faults: ['auth-bypass'] },
    { case: '401 carries WWW-Authenticate', source: 'RFC 9110 401 Unauthorized', notCovered: 'an API-key scheme has no registered authentication scheme to name; CredLink sends none and no client the runbook names reads it' },
    { case: '403 for a known client without the permission', source: 'RFC 9110 403 Forbidden', checks: ['security.restricted-key-forbidden'], faults: ['permission-not-enforced'] },
    { case: '400/422 for a request refused for its shape', source: 'RFC 9110 400 Bad Request, 422 Unprocessable Content', checks: ['security.request-contract'], faults: ['multipart-only'] },
    { case: '5xx only for a server fault, never for a client\'s bad input or a refused origin', source: 'RFC 9110 5xx (Server Error)', checks: ['security.malformed-keys-rejected', 'security.cors-disallowed-not-5xx'], faults: ['auth-malformed-key-500', 'cors-error-500'] },
    { case: '429 for too many requests', source: 'RFC 6585 §4', checks: ['security.auth-rate-limit'], faults: ['auth-no-rate-limit'], note: 'the rate-limit contract lists its cases' },
    { case: '503/502 when the service or its upstream is unavailable', source: 'RFC 9110 502, 503', checks: ['health.root', 'health.status', 'health.api-health'], faults: ['service-unavailable', 'bad-gateway'] },
    { case: 'a uniform error format (problem details)', source: 'RFC 9457', notCovered: 'the runbook names no error format; CredLink answers its own JSON' },
  ],
};

/** Security headers of API answers: OWASP Secure Headers Project and WSTG configuration testing. */
import type { Contract } from '../contract-cases.ts';

export const securityHeaders: Contract = {
  id: 'security-headers',
  title: 'Security headers',
  summary: 'API answers carry nosniff, frame protection and (on https) HSTS, and name no server software.',
  standards: [
    { name: 'OWASP Secure Headers', url: 'https://owasp.org/www-project-secure-headers/' },
    { name: 'WSTG-CONF-07', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/07-Test_HTTP_Strict_Transport_Security' },
  ],
  cases: [
    { case: 'X-Content-Type-Options: nosniff', source: 'OWASP Secure Headers', checks: ['security.headers'], faults: ['missing-security-headers'] },
    { case: 'frame protection (X-Frame-Options or CSP frame-ancestors)', source: 'OWASP Secure Headers', checks: ['security.headers'], faults: ['missing-security-headers'] },
    { case: 'Strict-Transport-Security with a positive max-age on https', source: 'WSTG-CONF-07', checks: ['security.headers'], noFault: 'the reference target serves plain http, where HSTS is not judged (a browser ignores it there); the failing side is unit-tested on https headers (tests/unit/security-verdict.test.ts)', note: 'judged on https base URLs only' },
    { case: 'no X-Powered-By, no version in Server', source: 'OWASP Secure Headers; WSTG-INFO-02', checks: ['security.headers'], faults: ['missing-security-headers'] },
    { case: 'Cache-Control: no-store on authenticated answers', source: 'OWASP REST Security Cheat Sheet', notCovered: 'not part of the promise the checks hold the API to (nosniff, frame protection, HSTS); the signing answers carry no secret a cache could keep' },
    { case: 'Content-Security-Policy, Referrer-Policy, Permissions-Policy', source: 'OWASP Secure Headers', notCovered: 'a JSON API renders no document for them to govern; frame-ancestors is judged as frame protection' },
  ],
};

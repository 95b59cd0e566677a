/** CORS: the Fetch standard's CORS protocol and the OWASP WSTG CORS test. */
import type { Contract } from '../contract-cases.ts';

export const cors: Contract = {
  id: 'cors',
  title: 'CORS',
  summary: 'Allowed origins pass the preflight with the methods and headers the API needs; every other origin, including ones that only look allowed, gets no Access-Control-Allow-Origin.',
  standards: [
    { name: 'Fetch', url: 'https://fetch.spec.whatwg.org/#http-cors-protocol' },
    { name: 'WSTG-CLNT-07', url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing' },
  ],
  cases: [
    { case: 'an allowed origin gets Access-Control-Allow-Origin equal to itself on the preflight, with the method and the X-API-Key and Content-Type headers allowed', source: 'Fetch: HTTP responses (CORS protocol)', checks: ['security.cors-allowed-origins'], faults: ['cors-blocks-allowed-origin'] },
    { case: 'the answer to the actual request (not only the preflight) carries Access-Control-Allow-Origin for an allowed origin', source: 'Fetch: CORS check', checks: ['security.cors-allowed-origins'], faults: ['cors-preflight-only'] },
    { case: 'Vary: Origin when the allow-origin depends on the Origin', source: 'Fetch: CORS protocol and HTTP caches', checks: ['security.cors-allowed-origins'], faults: ['cors-no-vary'], note: 'a hardening gap (SEV-3) when missing' },
    { case: 'Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true', source: 'Fetch: CORS protocol and credentials; WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-wildcard'] },
    { case: 'any Origin reflected back as allowed', source: 'WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-reflect-any-origin'] },
    { case: 'Origin: null allowed (with credentials)', source: 'Fetch: the Origin header (null); WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-null-origin'] },
    { case: 'an allowed origin with a suffix (https://app.example.com.attacker.test) allowed', source: 'WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-loose-match'] },
    { case: 'a prefix on an allowed host (https://attackerapp.example.com) allowed', source: 'WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-loose-match'] },
    { case: 'an https origin allowed over http (scheme downgrade)', source: 'WSTG-CLNT-07', checks: ['security.cors-no-any-origin'], faults: ['cors-loose-match'] },
    { case: 'Access-Control-Allow-Credentials: true sent to an origin that is not allowed', source: 'Fetch: HTTP responses (CORS protocol)', checks: ['security.cors-no-any-origin'], faults: ['cors-credentials-any-origin', 'cors-reflect-any-origin'], note: 'reported with the allow-origin it came with ("with credentials"); without one, a hardening gap (SEV-3): the browser still refuses the answer' },
    { case: 'a disallowed origin refused without a server error', source: 'Runbook Incident: CORS Violations', checks: ['security.cors-disallowed-not-5xx'], faults: ['cors-error-500'] },
    { case: 'a preflight asking for a method or header the API does not allow', source: 'Fetch: HTTP requests (CORS-preflight request)', notCovered: 'the browser, not the server, enforces the allowed methods and headers; an over-broad list matters only for an origin that is let in, which the origin cases judge, and asking for DELETE or PUT against production names methods the monitor must not seem to use' },
    { case: 'a subdomain or sibling origin trusted by a wildcard rule', source: 'WSTG-CLNT-07', notCovered: 'which subdomains are the owner\'s is their decision; the monitor cannot tell. List every trusted origin in CREDLINK_ALLOWED_ORIGINS and the look-alike cases judge the rest' },
    { case: 'Access-Control-Expose-Headers exposing sensitive headers', source: 'Fetch: HTTP responses (CORS protocol)', notCovered: 'the API sends no header a page must not read (keys travel only in requests); nothing to expose' },
  ],
};

/** The health endpoints and the /health document: the IETF health-check draft and the runbook's own reads. */
import type { Contract } from '../contract-cases.ts';

export const healthDocument: Contract = {
  id: 'health-document',
  title: 'Health endpoints and the health document',
  summary: 'GET /health (and /api/v1/status, /api/v1/health) answer 2xx, and the /health document says what the runbook reads: its status and checks.database.',
  standards: [
    { name: 'IETF health-check draft', url: 'https://datatracker.ietf.org/doc/html/draft-inadarei-api-health-check-06' },
    { name: 'Runbook "1. Basic Service Health"' },
  ],
  cases: [
    { case: 'the health and status endpoints answer 2xx (curl -f)', source: 'Runbook 1. Basic Service Health', checks: ['health.root', 'health.status', 'health.api-health'], faults: ['service-unavailable', 'bad-gateway', 'route-missing'] },
    { case: 'status "pass" (aliases "ok", "up") means healthy', source: 'IETF health-check draft: status', checks: ['health.self-status'], noFault: 'a case with no failing side: the healthy target answers "ok" and health.self-status passes it; every value is tabled in tests/unit/contract-cases.test.ts', note: 'also "healthy", as CredLink\'s /ready and /detailed say' },
    { case: 'status "fail" (aliases "error", "down") means unhealthy', source: 'IETF health-check draft: status', checks: ['health.self-status'], faults: ['health-status-down'], note: 'also "unhealthy"; judged only on a 2xx answer: a 4xx/5xx is health.root\'s outage' },
    { case: '"fail" must be served with 4xx/5xx, "pass" and "warn" with 2xx/3xx', source: 'IETF health-check draft: status', checks: ['health.self-status', 'health.root'], faults: ['health-status-down', 'service-unavailable'], note: 'a 2xx that says "down" keeps load balancers and probes routing to the service: the finding says so' },
    { case: 'status "warn" means healthy with some concerns', source: 'IETF health-check draft: status', checks: ['health.self-status'], noFault: 'a case with no failing side (a warn passes); health-error-output serves "warn" and health.self-status passes it', note: '"warn", "warning" and "degraded" on a 2xx pass: the draft calls the service healthy and the runbook names no action' },
    { case: 'a status value the draft does not name', source: 'IETF health-check draft: status', checks: ['health.self-status'], faults: ['health-status-unknown'], note: 'a monitoring gap (SEV-3) naming the value: whether the service reports itself healthy is not known' },
    { case: 'the document carries checks.database (jq .checks.database) and a string status', source: 'Runbook 1. Basic Service Health', checks: ['health.document'], faults: ['health-malformed'], note: 'a status that is not a string is reported here once: health.self-status skips it' },
    { case: 'checks.database is "ok"', source: 'Runbook 1. Basic Service Health', checks: ['health.database-reported'], faults: ['database-down'] },
    { case: 'checks.database says what a direct probe of the database finds', source: 'IETF health-check draft: checks (componentName:measurementName)', checks: ['health.database-truthful'], faults: ['health-database-unknown'] },
    { case: 'version, releaseId, serviceId, description, notes', source: 'IETF health-check draft: version, releaseId, serviceId, description, notes', checks: ['health.document'], faults: ['health-minimal'], note: 'health-minimal fails it when the environment requires them; optional in the draft: required only when the environment lists them (CREDLINK_HEALTH_REQUIRED_FIELDS)' },
    { case: 'checks of other components (memory, storage, scheduler...)', source: 'IETF health-check draft: checks', notCovered: 'the runbook reads only checks.database; other components are service-specific and no runbook section acts on them' },
    { case: 'output: raw error text of a failed check', source: 'IETF health-check draft: output', checks: ['security.error-disclosure'], faults: ['health-error-output'], note: 'a stack trace, internal path or credential in it is reported like in any other answer' },
    { case: 'Content-Type application/health+json', source: 'IETF health-check draft: media type', notCovered: 'the runbook reads the document with jq whatever its media type; CredLink serves application/json, and no reader the runbook names depends on the type' },
    { case: 'the health endpoint answers within the response-time threshold', source: 'Runbook Alert Thresholds', checks: ['health.latency'], faults: ['slow-responses'] },
  ],
};

/**
 * The incident stage (src/incidents/build.ts over runbooks/dependencies.ts), table-driven: the
 * findings each drill and real failure produce -> exactly the expected incidents.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { dependencyRules, symptomGroups } from '../../runbooks/dependencies.ts';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';
import { buildIncidents, type Unassigned } from '../../src/incidents/build.ts';
import { matchesCheck, systemOf } from '../../src/incidents/match.ts';
import { classify } from '../../src/http/response-class.ts';
import { dependencyProblems } from '../../src/commands/validate.ts';
import { renderCommand, templateNames, unknownNames } from '../../runbooks/commands.ts';
import type { Impact } from '../../src/triage/impact.ts';

type Answer = [call: string, status: number | null, count?: number];

function f(checkId: CheckId, severity: Severity, impact?: Impact, answers: Answer[] = [], section?: SectionId): Unassigned {
  const s = sections[section ?? catalog[checkId].section];
  return {
    checkId,
    title: catalog[checkId].title,
    status: 'failed',
    severity,
    severityRule: `rule of ${checkId}`,
    section: { title: s.title, anchor: s.anchor },
    expected: 'x',
    actual: 'y',
    message: `[X] (y) x on ${checkId} (test)`,
    immediateActions: s.immediateActions.map((a) => ({ step: a.step, command: a.command, writes: 'writes' in a && a.writes === true })),
    evidence: [],
    responses: answers.map(([call, status, count]) => ({ call, status, class: classify(status), ...(count ? { count } : {}) })),
    ...(impact ? { impact } : {}),
    durationMs: 1,
  };
}

const down = (status: number | null): Impact => ({ kind: 'unavailable', status });
const gap = (reason: string): Impact => ({ kind: 'gap', reason });
const sec = (c: 'breach' | 'vulnerability' | 'issue' | 'hardening'): Impact => ({ kind: 'security', class: c });
const thr = (tier: 'warning' | 'critical', value: number, limit: number, scope?: string): Impact => ({ kind: 'threshold', tier, value, limit, ...(scope ? { scope } : {}) });
const SIGN = 'POST /api/v1/sign';
const HEALTH = ['health.root', 'health.status', 'health.api-health'] as const;
const PROM = 'prometheus GET /api/v1/query';

/** [key, severity, root check, consequences (sorted)] */
type Want = [key: string, severity: Severity, root: string, consequences: string[]];

interface Row {
  name: string;
  findings: Unassigned[];
  /** Checks that ran and passed. */
  passed?: string[];
  want: Want[];
}

const outageFindings = (status: number | null): Unassigned[] => [
  ...HEALTH.map((id) => f(id, 'SEV-0', down(status), [[`GET /${id}`, status]])),
  f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, status]]),
  f('security.no-key-rejected', 'SEV-2', sec('issue'), [[SIGN, status]]),
  f('security.cors-allowed-origins', 'SEV-2', sec('issue'), [['OPTIONS /api/v1/sign', status], ['OPTIONS /health', status]]),
  f('security.cors-disallowed-not-5xx', 'SEV-2', sec('issue'), [['GET /health', status], [SIGN, status]]),
  f('security.auth-rate-limit', 'SEV-2', sec('issue'), [[SIGN, status, 21]]),
  f('perf.error-rate', 'SEV-1', thr('critical', 1, 0.05, 'GET /health'), [['GET /health', status, 100], ['GET /api/v1/status', status, 100]]),
  f('k8s.pods-ready', 'SEV-0', { kind: 'affected', fraction: 1 }),
  f('k8s.service-endpoints', 'SEV-0', { kind: 'affected', fraction: 1 }),
  f('k8s.rollout', 'SEV-2'),
  f('k8s.warning-events', 'SEV-3'),
];
const outageConsequences = outageFindings(503).map((x) => x.checkId).filter((id) => id !== 'health.root').sort();

const table: Row[] = [
  {
    name: 'service-unavailable: every health endpoint 503 -> ONE outage incident, everything else its consequence',
    findings: outageFindings(503),
    passed: ['health.document', 'security.headers', 'security.key-not-echoed'],
    want: [['outage', 'SEV-0', 'health.root', outageConsequences]],
  },
  {
    name: 'connection refused everywhere -> the same outage (same key, same id)',
    findings: outageFindings(null),
    want: [['outage', 'SEV-0', 'health.root', outageConsequences]],
  },
  {
    name: 'a breach seen during an outage is not a consequence (class matters)',
    findings: [...outageFindings(503), f('security.key-strict', 'SEV-0', sec('breach'), [[SIGN, 503]])],
    want: [
      ['outage', 'SEV-0', 'health.root', outageConsequences],
      ['symptom:unauthorized-access', 'SEV-0', 'security.key-strict', []],
    ],
  },
  {
    name: 'a failure of another class during an outage stays its own incident (a 401 is an answer)',
    findings: [...outageFindings(503), f('security.restricted-key-forbidden', 'SEV-3', sec('hardening'), [[SIGN, 401]])],
    want: [
      ['outage', 'SEV-0', 'health.root', outageConsequences],
      ['check:security.restricted-key-forbidden', 'SEV-3', 'security.restricted-key-forbidden', []],
    ],
  },
  {
    name: 'one of three health endpoints down is no outage: nothing else is explained by it',
    findings: [f('health.root', 'SEV-2', down(503), [['GET /health', 503]]), f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, 503]])],
    passed: ['health.status', 'health.api-health'],
    want: [
      ['check:security.valid-key-accepted', 'SEV-1', 'security.valid-key-accepted', []],
      ['check:health.root', 'SEV-2', 'health.root', []],
    ],
  },
  {
    name: 'health checks not selected, nothing answers -> outage through target-unreachable (SEV-0)',
    findings: [
      f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, null]]),
      f('security.no-key-rejected', 'SEV-2', sec('issue'), [[SIGN, null]]),
      f('security.headers', 'SEV-3', sec('hardening'), [['GET /health', null]]),
    ],
    want: [['outage', 'SEV-0', 'security.valid-key-accepted', ['security.headers', 'security.no-key-rejected']]],
  },
  {
    name: 'no answer on one route while another target check passed: the route fails, the target is reachable',
    findings: [
      f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, null]]),
      f('security.no-key-rejected', 'SEV-2', sec('issue'), [[SIGN, null]]),
      f('security.wrong-key-rejected', 'SEV-2', sec('issue'), [[SIGN, null]]),
    ],
    passed: ['security.headers', 'health.root'],
    want: [['route-failing:POST /api/v1/sign', 'SEV-1', 'security.valid-key-accepted', ['security.no-key-rejected', 'security.wrong-key-rejected']]],
  },
  {
    name: 'one health endpoint failing every time, and the probe\'s error rate on that route: one incident for the route',
    findings: [
      f('health.status', 'SEV-2', down(500), [['GET /api/v1/status', 500]]),
      f('perf.error-rate', 'SEV-1', thr('critical', 1, 0.05, 'GET /api/v1/status'), [['GET /api/v1/status', 500, 100]]),
    ],
    passed: ['health.root', 'health.api-health'],
    want: [['route-failing:GET /api/v1/status', 'SEV-1', 'health.status', ['perf.error-rate']]],
  },
  {
    name: 'a health endpoint failing every time does not take in an error rate measured on another route (and keeps its own key)',
    findings: [
      f('health.status', 'SEV-2', down(500), [['GET /api/v1/status', 500]]),
      f('perf.error-rate', 'SEV-1', thr('critical', 0.2, 0.05, 'GET /health'), [['GET /health', 500, 20]]),
    ],
    passed: ['health.root', 'health.api-health'],
    want: [
      ['symptom:error-rate', 'SEV-1', 'perf.error-rate', []],
      ['check:health.status', 'SEV-2', 'health.status', []],
    ],
  },
  {
    name: 'one check alone with a deterministic 500 is its own bug, not a failing route',
    findings: [f('security.cors-disallowed-not-5xx', 'SEV-2', sec('issue'), [['GET /health', 500], [SIGN, 500]]), f('security.malformed-keys-rejected', 'SEV-2', sec('issue'), [[SIGN, 401, 2], [SIGN, 500, 2]])],
    passed: ['health.root'],
    want: [
      ['check:security.cors-disallowed-not-5xx', 'SEV-2', 'security.cors-disallowed-not-5xx', []],
      ['check:security.malformed-keys-rejected', 'SEV-2', 'security.malformed-keys-rejected', []],
    ],
  },
  {
    name: 'database-down: the monitor cannot connect and /health says so -> one database incident',
    findings: [
      f('db.connect', 'SEV-1'),
      f('health.database-reported', 'SEV-1', undefined, [['GET /health', 503]]),
      f('health.root', 'SEV-1', down(503), [['GET /health', 503]]),
      f('health.api-health', 'SEV-1', down(503), [['GET /api/v1/health', 503]]),
      f('perf.error-rate', 'SEV-1', thr('critical', 0.66, 0.05, 'GET /health'), [['GET /health', 503, 100], ['GET /api/v1/health', 503, 100]]),
      // Its expected refusal (403 to the preflight) beside the 503: still the database's 503.
      f('security.cors-disallowed-not-5xx', 'SEV-2', sec('issue'), [['OPTIONS /api/v1/sign', 403], ['GET /health', 503]]),
    ],
    passed: ['health.status', 'health.database-truthful', 'db.round-trip'],
    want: [['database-unreachable', 'SEV-1', 'db.connect', ['health.api-health', 'health.database-reported', 'health.root', 'perf.error-rate', 'security.cors-disallowed-not-5xx']]],
  },
  {
    name: 'database down and every health endpoint down: the database is the root, the outage its consequence (SEV-0)',
    findings: [f('db.connect', 'SEV-1'), f('health.database-reported', 'SEV-1', undefined, [['GET /health', 503]]), ...HEALTH.map((id) => f(id, 'SEV-0', down(503), [[`GET /${id}`, 503]]))],
    want: [['database-unreachable', 'SEV-0', 'db.connect', ['health.api-health', 'health.database-reported', 'health.root', 'health.status']]],
  },
  {
    name: 'database unreachable for the monitor, no health document: the database incident alone',
    findings: [f('db.connect', 'SEV-1'), f('perf.db-latency', 'SEV-3', gap('no data'))],
    want: [['database-unreachable', 'SEV-1', 'db.connect', ['perf.db-latency']]],
  },
  {
    name: 'health-database-unknown: the document says "unknown", a direct probe passes -> SEV-3 gap, not the database incident',
    findings: [f('health.database-reported', 'SEV-1'), f('health.database-truthful', 'SEV-3', gap('the health endpoint does not report the database truthfully'))],
    passed: ['db.connect'],
    want: [['health-misreports:database', 'SEV-3', 'health.database-truthful', ['health.database-reported']]],
  },
  {
    name: 'health document says ok while the database refuses: database incident and the gap, apart',
    findings: [f('db.connect', 'SEV-1'), f('health.database-truthful', 'SEV-3', gap('the health endpoint does not report the database truthfully'))],
    passed: ['health.database-reported'],
    want: [
      ['database-unreachable', 'SEV-1', 'db.connect', []],
      ['health-misreports:database', 'SEV-3', 'health.database-truthful', []],
    ],
  },
  {
    name: 'connection-pool-exhaustion: connections near the limit explain the error rate',
    findings: [f('db.connections', 'SEV-1', thr('critical', 0.96, 0.95)), f('perf.error-rate', 'SEV-1', thr('critical', 0.2, 0.05), [['GET /health', 503, 20]])],
    want: [['database-saturated', 'SEV-1', 'db.connections', ['perf.error-rate']]],
  },
  {
    name: 'slow responses: the failed-attempt check that could not land its attempts in one window is part of it, not its own incident',
    findings: [
      f('perf.latency', 'SEV-2', thr('warning', 2509, 2000)),
      f('health.latency', 'SEV-2', thr('warning', 2508, 2000)),
      f('security.auth-rate-limit', 'SEV-3', gap('the failed-attempt limit was not tested: the attempts took 60 s, longer than the 60 s window')),
    ],
    want: [['symptom:slow-responses', 'SEV-2', 'perf.latency', ['health.latency', 'security.auth-rate-limit']]],
  },
  {
    name: 'connection-pool-exhaustion: a monitor connection refused for want of a slot is the saturation, not an unreachable database',
    findings: [f('db.connect', 'SEV-1'), f('db.connections', 'SEV-1', thr('critical', 0.96, 0.95))],
    want: [['database-saturated', 'SEV-1', 'db.connections', ['db.connect']]],
  },
  {
    name: 'database-slow: slow round trips explain slow statements, p95 and the 503s of timed-out requests',
    findings: [
      f('db.round-trip', 'SEV-2', thr('warning', 400, 250)),
      f('db.slow-queries', 'SEV-2', thr('warning', 401, 250)),
      f('perf.db-latency', 'SEV-2', thr('warning', 402, 250)),
      f('perf.latency', 'SEV-2', thr('warning', 2500, 2000)),
      f('perf.error-rate', 'SEV-1', thr('critical', 0.1, 0.05), [['GET /health', 503, 10]]),
    ],
    want: [['database-slow', 'SEV-1', 'db.round-trip', ['db.slow-queries', 'perf.db-latency', 'perf.error-rate', 'perf.latency']]],
  },
  {
    name: 'route-missing on the protected flow: the route answers 404 to every API-key check while health answers -> the API partially down (SEV-1), one incident',
    findings: [
      f('security.valid-key-accepted', 'SEV-3', gap('the valid key was not tested: route missing (404)'), [[SIGN, 404]]),
      f('security.restricted-key-forbidden', 'SEV-2', sec('issue'), [[SIGN, 404]]),
      f('security.no-key-rejected', 'SEV-3', gap('route missing'), [[SIGN, 404]]),
      f('security.auth-rate-limit', 'SEV-2', undefined, [[SIGN, 404, 21]]),
    ],
    passed: ['health.root'],
    want: [['route-down:POST /api/v1/sign', 'SEV-1', 'security.restricted-key-forbidden', ['security.auth-rate-limit', 'security.no-key-rejected', 'security.valid-key-accepted']]],
  },
  {
    name: 'limiter-before-auth: every request to the protected route answered 429 -> ONE gap naming the checks that could not run, no route-missing on a made-up path',
    findings: [
      f('security.valid-key-accepted', 'SEV-3', gap('the valid key was not tested: rate-limited (429)'), [[SIGN, 429]]),
      ...(['security.no-key-rejected', 'security.wrong-key-rejected', 'security.malformed-keys-rejected', 'security.key-strict', 'security.derived-keys-rejected', 'security.key-not-echoed', 'security.no-redirect'] as const).map((id) =>
        f(id, 'SEV-3', gap('not tested: rate-limited (429)'), [[SIGN, 429]]),
      ),
      // Its request to a made-up path got the expected 404, which is not reported (invented); its malformed-JSON request got 429.
      f('security.error-disclosure', 'SEV-3', gap('error disclosure was not tested'), [[SIGN, 429]]),
      f('security.rate-limits-declared', 'SEV-3', gap('the rate-limit settings do not describe the target\'s limits'), [[SIGN, 429, 12]]),
    ],
    passed: ['health.root', 'security.restricted-key-forbidden'],
    want: [
      [
        'route-rate-limited:POST /api/v1/sign',
        'SEV-3',
        'security.valid-key-accepted',
        ['security.derived-keys-rejected', 'security.error-disclosure', 'security.key-not-echoed', 'security.key-strict', 'security.malformed-keys-rejected', 'security.no-key-rejected', 'security.no-redirect', 'security.rate-limits-declared', 'security.wrong-key-rejected'],
      ],
    ],
  },
  {
    name: 'a stack trace in a 400 body is the disclosure finding, its own incident (never route-missing)',
    findings: [f('security.error-disclosure', 'SEV-2', sec('issue'), [[SIGN, 400]])],
    want: [['check:security.error-disclosure', 'SEV-2', 'security.error-disclosure', []]],
  },
  {
    name: 'rate limits described wrong (keyless requests share one count): the misdescription is the cause of the checks the target refused',
    findings: [
      f('security.rate-limits-declared', 'SEV-3', gap('the rate-limit settings do not describe the target\'s limits'), [[SIGN, 429, 3]]),
      f('security.key-strict', 'SEV-3', gap('where the key counts was not tested for Basic (rate-limited (429))'), [[SIGN, 401], [SIGN, 429]]),
      // A real finding of the same run stays its own incident.
      f('security.derived-keys-rejected', 'SEV-0', sec('breach'), [[SIGN, 401]]),
    ],
    want: [
      ['rate-limits-misdescribed', 'SEV-3', 'security.rate-limits-declared', ['security.key-strict']],
      ['symptom:unauthorized-access', 'SEV-0', 'security.derived-keys-rejected', []],
    ],
  },
  {
    name: 'database frozen (SIGSTOP): the monitor gets no answer, keyed calls hang, health answers -> one database incident saying so; the CORS 500 stays apart',
    findings: [
      f('db.connect', 'SEV-1'),
      f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, null]]),
      f('security.key-strict', 'SEV-3', gap('no answer'), [[SIGN, null], [SIGN, 401]]),
      f('security.no-redirect', 'SEV-3', gap('no answer'), [[SIGN, null]]),
      // /health stays 200 and says what it always says ("unknown"): unverified, not "reports it down".
      f('health.database-reported', 'SEV-2', { kind: 'unverified', claim: 'x', corroborate: 'y' }),
      f('security.cors-disallowed-not-5xx', 'SEV-2', sec('issue'), [['GET /health', 500]]),
    ],
    passed: ['health.root', 'health.database-truthful'],
    want: [
      ['database-unreachable', 'SEV-1', 'db.connect', ['health.database-reported', 'security.key-strict', 'security.no-redirect', 'security.valid-key-accepted']],
      ['check:security.cors-disallowed-not-5xx', 'SEV-2', 'security.cors-disallowed-not-5xx', []],
    ],
  },
  {
    name: 'keyed calls hang while health answers, no database probe: one incident for the route, saying it hangs',
    findings: [
      f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, null]]),
      f('security.key-strict', 'SEV-3', gap('no answer'), [[SIGN, null], [SIGN, 401]]),
      f('security.derived-keys-rejected', 'SEV-3', gap('no answer'), [[SIGN, null], [SIGN, 401]]),
    ],
    passed: ['health.root', 'health.status', 'health.api-health'],
    want: [['route-hangs:POST /api/v1/sign', 'SEV-1', 'security.valid-key-accepted', ['security.derived-keys-rejected', 'security.key-strict']]],
  },
  {
    name: 'checks.database "unknown" with no direct probe: unverified (SEV-2), its own incident, never the database incident',
    findings: [f('health.database-reported', 'SEV-2', { kind: 'unverified', claim: 'x', corroborate: 'y' })],
    passed: ['health.root'],
    want: [['check:health.database-reported', 'SEV-2', 'health.database-reported', []]],
  },
  {
    name: 'two routes missing -> two configuration gaps',
    findings: [f('health.status', 'SEV-3', gap('missing'), [['GET /api/v1/status', 404]]), f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, 405]])],
    want: [
      ['route-missing:GET /api/v1/status', 'SEV-3', 'health.status', []],
      ['route-missing:POST /api/v1/sign', 'SEV-3', 'security.valid-key-accepted', []],
    ],
  },
  {
    name: 'Kubernetes API forbidden -> one monitoring gap, whatever checks it blinds',
    findings: [f('k8s.access', 'SEV-3', gap('cannot list pods')), f('k8s.oomkilled', 'SEV-3', gap('cannot list pods'))],
    want: [['monitoring-gap:kubernetes', 'SEV-3', 'k8s.access', ['k8s.oomkilled']]],
  },
  {
    name: 'Prometheus unreachable -> one monitoring gap for the five key-metric checks',
    findings: (['prom.error-rate', 'prom.latency', 'prom.memory', 'prom.cpu', 'prom.db-connections'] as const).map((id) => f(id, 'SEV-3', gap('Prometheus unreachable'), [[PROM, null]])),
    want: [['monitoring-gap:prometheus', 'SEV-3', 'prom.error-rate', ['prom.cpu', 'prom.db-connections', 'prom.latency', 'prom.memory']]],
  },
  {
    name: 'Prometheus forbids the monitor (403) -> the same gap',
    findings: [f('prom.memory', 'SEV-3', gap('query rejected (HTTP 403)'), [[PROM, 403]])],
    want: [['monitoring-gap:prometheus', 'SEV-3', 'prom.memory', []]],
  },
  {
    name: 'Prometheus answers but has no series for one metric: that check alone',
    findings: [f('prom.error-rate', 'SEV-3', gap('no data'))],
    want: [['check:prom.error-rate', 'SEV-3', 'prom.error-rate', []]],
  },
  {
    name: 'slow responses seen by four checks -> one incident, the worst measure decides',
    findings: [
      f('perf.latency', 'SEV-2', thr('warning', 2500, 2000)),
      f('health.latency', 'SEV-1', thr('critical', 6000, 5000)),
      f('perf.degradation', 'SEV-2', { kind: 'degradation', percent: 40 }),
      f('prom.latency', 'SEV-2', thr('warning', 2100, 2000)),
    ],
    want: [['symptom:slow-responses', 'SEV-1', 'health.latency', ['perf.degradation', 'perf.latency', 'prom.latency']]],
  },
  {
    name: 'per-endpoint error rate and an intermittent one-shot -> one error-rate incident',
    findings: [
      f('perf.error-rate', 'SEV-1', thr('critical', 0.08, 0.05, 'GET /api/v1/status'), [['GET /api/v1/status', 500, 8]]),
      f('health.status', 'SEV-3', { kind: 'intermittent', call: 'GET /api/v1/status', failed: 1, attempts: 2 }, [['GET /api/v1/status', 500]], 'high-error-rate'),
    ],
    passed: ['health.root', 'health.api-health'],
    want: [['symptom:error-rate', 'SEV-1', 'perf.error-rate', ['health.status']]],
  },
  {
    name: 'auth-bypass: every check that sent a request it expects refused sees the breach -> one incident',
    findings: [
      ...(['security.no-key-rejected', 'security.wrong-key-rejected', 'security.malformed-keys-rejected', 'security.restricted-key-forbidden', 'security.auth-rate-limit'] as const).map((id) => f(id, 'SEV-0', sec('breach'))),
      // Served without any key: which key counts, or where, cannot be told: gaps that follow from the breach.
      f('security.key-strict', 'SEV-3', gap('served without any key: whether the key is compared strictly cannot be told')),
      f('security.derived-keys-rejected', 'SEV-3', gap('served without any key: derived keys cannot be told apart')),
    ],
    want: [
      [
        'symptom:unauthorized-access',
        'SEV-0',
        'security.restricted-key-forbidden',
        ['security.auth-rate-limit', 'security.derived-keys-rejected', 'security.key-strict', 'security.malformed-keys-rejected', 'security.no-key-rejected', 'security.wrong-key-rejected'],
      ],
    ],
  },
  {
    name: 'valid-key-rejected: the restricted key refused with 401 is the same rejection',
    findings: [f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, 401]]), f('security.restricted-key-forbidden', 'SEV-3', sec('hardening'), [[SIGN, 401]])],
    want: [['keys-rejected', 'SEV-1', 'security.valid-key-accepted', ['security.restricted-key-forbidden']]],
  },
  {
    name: 'crashloop: back-off, not ready and restarts are one state of the pods',
    findings: [f('k8s.pods-waiting', 'SEV-0', { kind: 'affected', fraction: 1 }), f('k8s.pods-ready', 'SEV-0', { kind: 'affected', fraction: 1 }), f('k8s.restarts', 'SEV-2')],
    want: [['symptom:pods', 'SEV-0', 'k8s.pods-waiting', ['k8s.pods-ready', 'k8s.restarts']]],
  },
  {
    name: 'no-ready-endpoints: the Service selects the wrong colour; its empty endpoints follow',
    findings: [f('k8s.service-endpoints', 'SEV-0', { kind: 'affected', fraction: 1 }), f('k8s.service-selector', 'SEV-0')],
    want: [['service-selector', 'SEV-0', 'k8s.service-selector', ['k8s.service-endpoints']]],
  },
  {
    name: 'oomkilled: the restart and its events follow from the OOM kill',
    findings: [f('k8s.oomkilled', 'SEV-2', { kind: 'affected', fraction: 0.33 }), f('k8s.restarts', 'SEV-2'), f('k8s.warning-events', 'SEV-3'), f('k8s.memory-usage', 'SEV-1', thr('critical', 0.96, 0.95))],
    want: [['memory', 'SEV-1', 'k8s.oomkilled', ['k8s.memory-usage', 'k8s.restarts', 'k8s.warning-events']]],
  },
  {
    name: 'CPU saturation explains slow answers',
    findings: [f('k8s.cpu-usage', 'SEV-1', thr('critical', 0.93, 0.9)), f('perf.latency', 'SEV-2', thr('warning', 2500, 2000))],
    want: [['cpu', 'SEV-1', 'k8s.cpu-usage', ['perf.latency']]],
  },
  {
    name: 'unrelated findings stay apart',
    findings: [f('security.headers', 'SEV-3', sec('hardening')), f('security.cors-no-any-origin', 'SEV-1', sec('vulnerability')), f('k8s.hpa-headroom', 'SEV-2')],
    want: [
      ['check:security.cors-no-any-origin', 'SEV-1', 'security.cors-no-any-origin', []],
      ['check:k8s.hpa-headroom', 'SEV-2', 'k8s.hpa-headroom', []],
      ['check:security.headers', 'SEV-3', 'security.headers', []],
    ],
  },
];

test('incidents: database down, then the API crashed because of it: with the previous run as evidence it is ONE incident, the database its cause; without, two', () => {
  // This run: the API no longer answers at all (its process exited), the monitor cannot connect to the database.
  const findings = [f('db.connect', 'SEV-1'), ...HEALTH.map((id) => f(id, 'SEV-0', down(null), [[`GET /${id}`, null]])), f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, null]])];
  const executed = findings.map((x) => x.checkId);
  // The previous run saw the database incident while the API still answered: the database failed first.
  const ordered = buildIncidents('staging', findings, { executed, previous: ['database-unreachable'] });
  assert.deepEqual(ordered.incidents.map((i) => [i.key, i.severity, i.root.checkId]), [['database-unreachable', 'SEV-0', 'db.connect']]);
  assert.equal(ordered.incidents[0]!.title, 'Database unreachable (since the previous run), and now the API stops answering');
  assert.deepEqual([...ordered.incidents[0]!.consequences].sort(), ['health.api-health', 'health.root', 'health.status', 'security.valid-key-accepted']);
  // Nothing orders them (no previous run, or the outage was already there): two incidents, each saying only what was seen.
  for (const previous of [undefined, ['database-unreachable', 'outage'], []]) {
    const { incidents } = buildIncidents('staging', findings, { executed, ...(previous ? { previous } : {}) });
    assert.deepEqual(incidents.map((i) => i.key).sort(), ['database-unreachable', 'outage'], JSON.stringify(previous));
    assert.doesNotMatch(incidents.find((i) => i.key === 'database-unreachable')!.title, /reports it down/);
  }
});

test("incidents: database down and every health endpoint 5xx: ONE incident when the API's error answers name the database (its evidence the answers), two when they do not", () => {
  const named = (x: Unassigned, excerpt: string): Unassigned => ({
    ...x,
    responses: x.responses.map((r) => ({ ...r, names: ['database' as const] })),
    evidence: [{ name: `answer naming the database: ${x.responses[0]!.call} (${x.responses[0]!.status})`, contentType: 'text/plain', body: excerpt }],
  });
  const plain = [
    f('db.connect', 'SEV-1'),
    ...HEALTH.map((id) => f(id, 'SEV-0', down(500), [[`GET /${id}`, 500]])),
    f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, 500]]),
    f('security.no-key-rejected', 'SEV-2', sec('issue'), [[SIGN, 500]]),
    f('k8s.pods-ready', 'SEV-0', { kind: 'affected', fraction: 1 }),
  ];
  const executed = plain.map((x) => x.checkId);
  const withNames = plain.map((x) => (x.checkId === 'db.connect' || x.checkId.startsWith('k8s.') ? x : named(x, 'Connection terminated unexpectedly')));
  const one = buildIncidents('staging', withNames, { executed });
  assert.deepEqual(one.incidents.map((i) => [i.key, i.rule, i.severity, i.root.checkId, i.section.anchor]), [['database-unreachable', 'database-named-in-errors', 'SEV-0', 'db.connect', sections['database-connection'].anchor]]);
  const i = one.incidents[0]!;
  assert.equal(i.title, "Database unreachable: the monitor cannot connect, and the API's error answers name the database");
  assert.deepEqual([...i.consequences].sort(), ['health.api-health', 'health.root', 'health.status', 'k8s.pods-ready', 'security.no-key-rejected', 'security.valid-key-accepted']);
  assert.deepEqual(i.evidence?.map((e) => e.name), HEALTH.map((id) => `answer naming the database: GET /${id} (500)`).concat([`answer naming the database: ${SIGN} (500)`]));
  assert.ok(i.evidence!.every((e) => e.body === 'Connection terminated unexpectedly'));
  // This run's own answers order the two better than the previous run: the same incident, titled by what this run saw.
  const both = buildIncidents('staging', withNames, { executed, previous: ['database-unreachable'] });
  assert.deepEqual(both.incidents.map((x) => [x.key, x.rule, x.title]), [['database-unreachable', 'database-named-in-errors', i.title]]);
  // One answer naming it is enough: the health endpoints' plain 500s follow.
  const single = plain.map((x) => (x.checkId === 'security.valid-key-accepted' ? named(x, 'could not connect to postgres') : x));
  assert.deepEqual(buildIncidents('staging', single, { executed }).incidents.map((x) => [x.key, x.severity]), [['database-unreachable', 'SEV-0']]);
  // Nothing names the database: two incidents, neither claiming an order nobody saw.
  const two = buildIncidents('staging', plain, { executed });
  assert.deepEqual(two.incidents.map((x) => [x.key, x.severity, x.root.checkId]), [['outage', 'SEV-0', 'health.root'], ['database-unreachable', 'SEV-1', 'db.connect']]);
  for (const x of two.incidents) assert.equal(x.evidence, undefined);
  assert.doesNotMatch(two.incidents[1]!.title, /name|reports it down|stops answering/);
  // A naming answer that is not a failure (a 4xx) orders nothing; nor does one without the database probe failing.
  const fourxx = plain.map((x) => (x.checkId === 'security.no-key-rejected' ? { ...x, responses: [{ call: SIGN, status: 401, class: 'auth' as const, names: ['database' as const] }] } : x));
  assert.deepEqual(buildIncidents('staging', fourxx, { executed }).incidents.map((x) => x.key).sort(), ['check:security.no-key-rejected', 'database-unreachable', 'outage']);
  const noDb = withNames.filter((x) => x.checkId !== 'db.connect');
  assert.deepEqual(buildIncidents('staging', noDb, { executed: noDb.map((x) => x.checkId) }).incidents.map((x) => x.key), ['outage']);
});

for (const row of table) {
  test(`incidents: ${row.name}`, () => {
    const executed = [...(row.passed ?? []), ...row.findings.map((x) => x.checkId)];
    const { incidents, findings } = buildIncidents('staging', row.findings, { executed });
    const got: Want[] = incidents.map((i) => [i.key, i.severity, i.root.checkId, [...i.consequences].sort()]);
    assert.deepEqual(got.sort(), [...row.want].sort());
    for (const i of incidents) {
      assert.equal(i.id, `staging/${i.key}`);
      const members = findings.filter((x) => x.incidentId === i.id);
      assert.equal(members.filter((x) => x.role === 'root').length, 1, `${i.key}: one root finding`);
      assert.equal(members.find((x) => x.role === 'root')!.checkId, i.root.checkId);
    }
    assert.equal(new Set(incidents.map((i) => i.id)).size, incidents.length, 'an id is never given twice in a run');
    // Every finding belongs to exactly one incident that exists.
    assert.equal(findings.length, row.findings.length);
    for (const x of findings) assert.ok(incidents.some((i) => i.id === x.incidentId), `${x.checkId} -> ${x.incidentId}`);
  });
}

test('incidents: the outage speaks the Service Unavailable section with its own immediate actions', () => {
  const { incidents } = buildIncidents('production', outageFindings(503), { executed: outageFindings(503).map((x) => x.checkId) });
  const [i] = incidents;
  assert.equal(incidents.length, 1);
  assert.equal(i!.id, 'production/outage');
  assert.equal(i!.section.title, 'Incident: Service Unavailable (503/502 Errors)');
  assert.equal(i!.rule, 'outage');
  assert.match(i!.title, /every health endpoint/);
  // The root finding's actions, as to-report rendered them (here: the section's templates).
  assert.equal(i!.immediateActions[0]!.command, 'kubectl get pods -n {{namespace}} -l {{selector}}');
});

test('incidents: the health-document gap never leads with "restart the application"', () => {
  const { incidents } = buildIncidents('local', [f('health.database-reported', 'SEV-1'), f('health.database-truthful', 'SEV-3', gap('x'))], { executed: ['db.connect'] });
  assert.equal(incidents[0]!.section.anchor, '1-basic-service-health');
  assert.ok(incidents[0]!.immediateActions.every((a) => !a.writes && !/restart/.test(a.command)));
});

test('incidents: route-missing names method and path in key, title and first step; commands name the environment', () => {
  const names = { ...unknownNames('staging'), baseUrl: 'https://staging.example', namespace: 'credlink-staging', deployment: 'credlink-api' };
  const { incidents } = buildIncidents('staging', [f('security.valid-key-accepted', 'SEV-1', undefined, [[SIGN, 404]])], {
    executed: ['security.valid-key-accepted'],
    localize: (c) => renderCommand(c, names),
  });
  const i = incidents[0]!;
  assert.equal(i.id, 'staging/route-missing:POST /api/v1/sign');
  assert.match(i.title, /^POST \/api\/v1\/sign does not exist/);
  assert.equal(i.immediateActions[0]!.command, 'curl -i -X POST https://staging.example/api/v1/sign');
  assert.ok(i.immediateActions.some((a) => a.command === 'kubectl rollout history deployment/credlink-api -n credlink-staging'));
  assert.ok(i.immediateActions.every((a) => !/\{|credlink-production|credlink\.com/.test(a.command)), JSON.stringify(i.immediateActions));
});

test('incidents: ids are stable across runs (messages, counts and order change, the id does not) and differ per environment', () => {
  const run1 = buildIncidents('staging', outageFindings(503), { executed: outageFindings(503).map((x) => x.checkId) });
  const shuffled = outageFindings(502).reverse().map((x) => ({ ...x, message: `${x.message} at another time` }));
  const run2 = buildIncidents('staging', shuffled, { executed: shuffled.map((x) => x.checkId) });
  assert.deepEqual(run1.incidents.map((i) => i.id), run2.incidents.map((i) => i.id));
  assert.notDeepEqual(buildIncidents('production', outageFindings(503), { executed: outageFindings(503).map((x) => x.checkId) }).incidents.map((i) => i.id), run1.incidents.map((i) => i.id));
});

test('incidents: without the executed checks, quorum rules do not fire (a partial view never claims "every endpoint down")', () => {
  const { incidents } = buildIncidents('x', [f('health.root', 'SEV-0', down(503), [['GET /health', 503]])]);
  assert.deepEqual(incidents.map((i) => i.key), ['check:health.root']);
});

test('dependencies: every pattern names catalog checks, every automated check has a system, rule names are unique', () => {
  const ids = Object.keys(catalog);
  const patterns = [
    ...dependencyRules.flatMap((r) => [r.source.checks ?? [], ...r.targets.map((t) => t.checks ?? [])]),
    ...symptomGroups.flatMap((g) => g.members.map((m) => m.checks ?? [])),
  ].flat();
  for (const p of patterns) assert.ok(ids.some((id) => matchesCheck([p], id)), `pattern ${p} matches no catalog id`);
  for (const id of ids) if (!catalog[id as CheckId].notAutomatable) assert.ok(systemOf(id), `${id} has a system`);
  const names = dependencyRules.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(dependencyProblems(), []);
  // Commands a rule declares use only names the environment fills in (runbooks/commands.ts).
  const known = Object.keys(unknownNames('x'));
  for (const r of [...dependencyRules, ...symptomGroups]) {
    for (const a of r.incident.actions ?? []) for (const n of templateNames(a.command)) assert.ok(known.includes(n), `${'name' in r ? r.name : ''}: {{${n}}}`);
  }
});


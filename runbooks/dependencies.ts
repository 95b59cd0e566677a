/**
 * Correlation as data: which failure is a consequence of which, declared next to the catalog
 * and evaluated in one place (src/incidents/build.ts), in the spirit of Alertmanager's
 * `inhibit_rules` (source matchers, target matchers, labels that must be equal) and `group_by`.
 * Checks never special-case each other.
 *
 * Evaluation, in this order, each finding claimed once:
 * 1. `dependencyRules`, top to bottom: when a rule's source holds, its source findings and every
 *    still-unclaimed finding matching one of its targets form ONE incident (key = rule.incident.key).
 * 2. `symptomGroups`, top to bottom: the still-unclaimed findings that measure the same symptom
 *    (slow responses seen by four checks) form one incident each.
 * 3. The default: every remaining check is its own incident (`check:<id>`): a finding stands alone
 *    unless a declaration says otherwise.
 *
 * Labels a matcher can use, per finding: the check id, the `system` the check talks to
 * (`systems` below), its impact (src/triage/impact.ts; `security:breach` for a class), and the
 * classes of the answers it saw that were not a success (src/http/response-class.ts), per route
 * ("POST /api/v1/sign"), and the systems a failed answer's body named (`names`). A route
 * partition (`equal: ['route']`) uses the routes of the answers of the source's classes.
 *
 * Adding a rule: add an entry below (names are stable: they become incident keys, the alert
 * dedup keys), a table row in tests/unit/incidents.test.ts, and, if a drill reproduces it, its
 * expected incidents in the drill's integration test. `validate` rejects patterns that match no
 * catalog id.
 */
import type { ResponseClass } from '../src/http/response-class.ts';
import type { ActionStep, SectionId } from './sections.ts';
import type { Severity } from './severity.ts';

/** What a check talks to. */
export type System = 'target' | 'database' | 'kubernetes' | 'prometheus';

/** Check id patterns ('db.*' = every id starting with 'db.'; any trailing * is a prefix) -> system; the first match wins. */
export const systems: readonly { checks: readonly string[]; system: System }[] = [
  { checks: ['db.*', 'perf.db-latency'], system: 'database' },
  { checks: ['k8s.*'], system: 'kubernetes' },
  { checks: ['prom.*'], system: 'prometheus' },
  { checks: ['health.*', 'perf.*', 'security.*'], system: 'target' },
];

/** An impact kind, or `security:<class>` / `threshold:<tier>`; `none` = the check recorded no impact. */
export type ImpactLabel =
  | 'none'
  | 'unavailable'
  | 'affected'
  | 'threshold'
  | 'threshold:warning'
  | 'threshold:critical'
  | 'degradation'
  | 'intermittent'
  | 'gap'
  | 'gap:rate-limit'
  | 'unverified'
  | 'security'
  | 'security:breach'
  | 'security:vulnerability'
  | 'security:issue'
  | 'security:hardening';

/** Alertmanager-style matcher over a finding's labels; every field given must hold. */
export interface FindingMatcher {
  /** Check ids or 'prefix.*' patterns. */
  checks?: readonly string[];
  /** ... and none of these (check ids or patterns). */
  notChecks?: readonly string[];
  system?: System;
  /** The finding's impact is one of these. */
  impacts?: readonly ImpactLabel[];
  /** ... and none of these (class matters: a breach seen during an outage is its own incident). */
  notImpacts?: readonly ImpactLabel[];
  /**
   * At least one of the non-success answers the finding saw is of these classes. Checks also
   * record answers they expected (a 401 to a wrong key, a 403 to a disallowed origin), so
   * "every answer" would be too strict; use `notClasses` to exclude what must not be there.
   */
  classes?: readonly ResponseClass[];
  /** None of its answers is of these classes. */
  notClasses?: readonly ResponseClass[];
  /**
   * At least one of its failed answers (5xx) named this system as what failed, in its body
   * (src/http/names-database.ts: "connection to server ... port 5432 failed", `"database": "down"`).
   */
  names?: 'database';
}

export interface IncidentTemplate {
  /** Root cause without the environment; `{route}` is filled for rules with `equal: ['route']`. Never rename: it is the dedup key. */
  key: string;
  /** One line for a page: what is wrong (`{route}` filled as for the key). */
  title: string;
  /** The runbook section the responder opens; default: the root finding's. */
  section?: SectionId;
  /**
   * root: the root finding's severity; worst: the worst of root and consequences (the
   * consequences measure the same damage); a level: fixed by the rule's own definition.
   */
  severity: 'root' | 'worst' | Severity;
  /** Why that severity, when fixed. */
  severityRule?: string;
  /** First steps when the section's immediate actions would point the wrong way. */
  actions?: readonly ActionStep[];
}

export interface DependencyRule {
  /** Stable name, recorded as the incident's `rule`. */
  name: string;
  /** Why the targets are consequences, in one line (docs/reference/incident-rules.md). */
  description: string;
  /**
   * The root cause. `quorum: 'all'`: every check matching `source.checks` that executed in the
   * run failed and matches (at least `min`, default 1); `any`: at least `min` matching findings
   * (with `equal: ['route']`: at least `min` on the same route).
   */
  source: FindingMatcher & {
    quorum: 'any' | 'all';
    min?: number;
    /**
     * Evidence that must also be there: each matcher must match at least one finding not yet
     * claimed by an earlier rule (those findings join the incident as consequences). How the
     * run orders two failures ("the database, and keyed calls that hang").
     */
    requires?: readonly FindingMatcher[];
    /**
     * The previous observed run of the environment had an incident with `key` (and none with
     * `unless`): this cause was there first. How two systems failing in one run are ordered when
     * the run alone cannot tell (a database that is down and an API that crashed after it).
     */
    seenBefore?: { key: string; unless?: string };
  };
  /** What the root cause explains (Alertmanager target_matchers). */
  targets: readonly FindingMatcher[];
  /** Labels source and target must share (Alertmanager `equal`); 'route' also splits the source per route. */
  equal?: readonly 'route'[];
  /**
   * Form the incident only when the source explains at least one target: a source alone stays what
   * it would be without the rule (its own incident, or a later rule's), so its key does not change.
   */
  needsTarget?: true;
  incident: IncidentTemplate;
}

export interface SymptomGroup {
  name: string;
  description: string;
  /** Findings matching any member; the first listed members win ties for the root. */
  members: readonly FindingMatcher[];
  incident: IncidentTemplate;
}

/** Failures that mean "the service did not answer": what an outage explains. */
export const FAILURE: readonly ResponseClass[] = ['server-error', 'no-answer'];
/** Every class an answer can have but these: `notClasses: except(FAILURE)` = nothing but failures. */
function except(keep: readonly ResponseClass[]): ResponseClass[] {
  const all: ResponseClass[] = ['success', 'redirect', 'contract', 'auth', 'route-missing', 'rate-limited', 'server-error', 'no-answer'];
  return all.filter((c) => !keep.includes(c));
}
/** Security findings that stand on their own whatever else is down. */
const SECURITY_SEVERE: readonly ImpactLabel[] = ['security:breach', 'security:vulnerability'];

/** The checks that judge whether the service answers at all (the outage rules'; the monitor's window samples them). */
export const HEALTH_ENDPOINTS = ['health.root', 'health.status', 'health.api-health'];
/**
 * Every HTTP check against the target that got 5xx or no answer, a breach excepted; a missing
 * route or a redirect it saw is a cause of its own (route-missing, security.no-redirect).
 */
const TARGET_FAILURES: FindingMatcher = { system: 'target', classes: FAILURE, notClasses: ['route-missing', 'redirect'], notImpacts: SECURITY_SEVERE };
/**
 * A route failing every time it is asked: nothing but 5xx or no answer (a check that also got its
 * expected 401s found a bug of its own); rates and intermittent errors are the error-rate symptom.
 */
const ROUTE_FAILURES: FindingMatcher = { system: 'target', classes: FAILURE, notClasses: except(FAILURE), notImpacts: [...SECURITY_SEVERE, 'intermittent', 'threshold'] };
/** The pod and endpoint side of "Service Unavailable" in the cluster. */
const POD_SIDE: FindingMatcher = { checks: ['k8s.pods-ready', 'k8s.pods-waiting', 'k8s.restarts', 'k8s.warning-events', 'k8s.rollout', 'k8s.service-endpoints'], notImpacts: ['gap'] };
/** Memory near or over its limit (a "no data" gap is not memory pressure). */
const MEMORY: FindingMatcher = { checks: ['k8s.memory-usage', 'prom.memory'], impacts: ['threshold', 'affected'] };
/** The monitor's own access failing: it cannot see, which is not the service failing. */
const API_FAILURE: readonly ResponseClass[] = ['no-answer', 'auth', 'server-error', 'route-missing'];
/** Key metrics that follow the service's own errors and latency (Prometheus answered: what it said follows the outage). */
const SERVICE_METRICS: FindingMatcher = { checks: ['prom.error-rate', 'prom.latency'], impacts: ['threshold', 'gap'], notClasses: API_FAILURE };
const DATABASE_CHECKS: readonly FindingMatcher[] = [
  { checks: ['db.*', 'perf.db-latency', 'health.database-reported'] },
  { checks: ['prom.db-connections'], notClasses: API_FAILURE },
];
const SLOW: FindingMatcher = { checks: ['perf.latency', 'health.latency', 'perf.degradation', 'prom.latency'], impacts: ['threshold', 'degradation'] };
const ERROR_RATE: FindingMatcher = { checks: ['perf.error-rate', 'prom.error-rate'], impacts: ['threshold'] };

/** What a database in trouble explains: the database-derived checks, and the target's failures and slowness. */
const DATABASE_CONSEQUENCES: readonly FindingMatcher[] = [...DATABASE_CHECKS, TARGET_FAILURES, ERROR_RATE, SLOW, SERVICE_METRICS];
/**
 * What a frozen database explains while the health endpoints answer: the same, but not the CORS
 * checks' 5xx (the route answers without an Origin, so a 500 to a disallowed origin is the CORS
 * middleware's own bug, which no database state explains).
 */
const FROZEN_CONSEQUENCES: readonly FindingMatcher[] = [...DATABASE_CHECKS, { ...TARGET_FAILURES, notChecks: ['security.cors-*'] }, ERROR_RATE, SLOW, SERVICE_METRICS];
/** Gaps of checks that could not run because their route answered 429 (or was held after one). */
const RATE_LIMITED_GAPS: FindingMatcher = { system: 'target', impacts: ['gap'], classes: ['rate-limited'] };
/** ... or whose requests were not sent: the target's limit left no room (a 429, or an answer saying nothing remains). */
const RATE_BUDGET_GAPS: FindingMatcher = { system: 'target', impacts: ['gap:rate-limit'] };

export const dependencyRules: readonly DependencyRule[] = [
  {
    name: 'health-misreports-database',
    description: 'the health document and a direct probe disagree about the database: a monitoring gap, not a database incident',
    source: { checks: ['health.database-truthful'], quorum: 'any' },
    targets: [{ checks: ['health.database-reported'] }],
    incident: { key: 'health-misreports:database', title: 'The health endpoint does not report the database truthfully', severity: 'root' },
  },
  {
    name: 'database-unreachable-reported',
    description: 'the monitor cannot connect to the database AND the health endpoint reports it down: the database is the root cause of every 5xx, error rate and slow answer of the target',
    // A value the service reports whatever the state ("unknown", a constant) is not "reports it down".
    source: { checks: ['db.connect', 'health.database-reported'], quorum: 'all', min: 2, notImpacts: ['unverified'] },
    targets: DATABASE_CONSEQUENCES,
    incident: { key: 'database-unreachable', title: 'Database unreachable: the monitor cannot connect and the service reports it down', section: 'database-connection', severity: 'worst' },
  },
  // Before outage, and before database-then-outage: what this run's own answers say orders the two
  // better than the previous run does.
  {
    name: 'database-named-in-errors',
    description: 'the monitor cannot connect to the database and the API\'s failed answers (5xx bodies, or a health document answered with 5xx) name the database as what failed: one incident, the database its cause; the outage and every other 5xx are consequences (without such an answer the two stay apart)',
    source: {
      checks: ['db.connect'],
      quorum: 'any',
      requires: [{ system: 'target', names: 'database', notImpacts: SECURITY_SEVERE }],
    },
    targets: [...DATABASE_CONSEQUENCES, { checks: HEALTH_ENDPOINTS, classes: FAILURE }, POD_SIDE],
    incident: {
      key: 'database-unreachable',
      title: "Database unreachable: the monitor cannot connect, and the API's error answers name the database",
      section: 'database-connection',
      severity: 'worst',
    },
  },
  // Before outage: the database failed first (the previous run saw it while the API answered).
  {
    name: 'database-then-outage',
    description: 'the previous run saw the database unreachable while the API answered, and now the API stops answering too: one incident, the database its cause (the database failed first)',
    source: {
      checks: ['db.connect'],
      quorum: 'any',
      seenBefore: { key: 'database-unreachable', unless: 'outage' },
      requires: [{ checks: HEALTH_ENDPOINTS, classes: FAILURE }],
    },
    targets: [...DATABASE_CONSEQUENCES, { checks: HEALTH_ENDPOINTS, classes: FAILURE }, POD_SIDE],
    incident: {
      key: 'database-unreachable',
      title: 'Database unreachable (since the previous run), and now the API stops answering',
      section: 'database-connection',
      severity: 'worst',
    },
  },
  {
    name: 'service-selector',
    description: 'the Service selects a colour without running pods: no ready endpoints, and every failed request follows',
    source: { checks: ['k8s.service-selector'], quorum: 'any', notImpacts: ['gap'] },
    targets: [{ checks: ['k8s.service-endpoints'] }, { checks: ['k8s.pods-ready'] }, TARGET_FAILURES, SERVICE_METRICS],
    incident: { key: 'service-selector', title: 'The Service selects a colour with no running API pods', severity: 'worst' },
  },
  {
    name: 'outage',
    description: 'every health endpoint answers 5xx or nothing: every other HTTP check against the target that got 5xx or no answer, the pod side in the cluster and the service metrics are consequences',
    source: { checks: HEALTH_ENDPOINTS, quorum: 'all', impacts: ['unavailable'], classes: FAILURE },
    targets: [TARGET_FAILURES, POD_SIDE, SERVICE_METRICS],
    incident: { key: 'outage', title: 'Service unavailable: every health endpoint answers 5xx or nothing', section: 'service-unavailable', severity: 'root' },
  },
  {
    name: 'target-unreachable',
    description: 'no check against the target got any answer (refused, reset, timed out): the same outage, seen without the health endpoints',
    source: { system: 'target', quorum: 'all', classes: ['no-answer'], notClasses: except(['no-answer']) },
    targets: [TARGET_FAILURES, POD_SIDE, SERVICE_METRICS],
    incident: {
      key: 'outage',
      title: 'Service unreachable: no request to the target got an answer',
      section: 'service-unavailable',
      severity: 'SEV-0',
      severityRule: 'nothing on the target answers: complete outage (SEV-0)',
    },
  },
  // After outage (its health endpoints answered, or the outage would have claimed the hung calls).
  {
    name: 'database-frozen',
    description: 'the monitor gets no answer from the database and the valid-key call gets none either while the health endpoints answer: the database hangs, the hung calls follow',
    source: { checks: ['db.connect'], quorum: 'any', requires: [{ checks: ['security.valid-key-accepted'], classes: ['no-answer'] }] },
    targets: FROZEN_CONSEQUENCES,
    incident: {
      key: 'database-unreachable',
      title: 'The database does not answer: authenticated calls hang (no answer within the request timeout) while the health endpoints answer',
      section: 'database-connection',
      severity: 'worst',
    },
  },
  // Before database-unreachable: with the connections near max_connections (measured, so the
  // database answered), a monitor connection refused for want of a slot is saturation, not an outage.
  {
    name: 'database-saturated',
    description: 'client connections near max_connections: the service\'s 5xx, error rate and slow answers follow from the exhausted pool',
    source: { checks: ['db.connections', 'prom.db-connections'], quorum: 'any', impacts: ['threshold'] },
    targets: DATABASE_CONSEQUENCES,
    incident: { key: 'database-saturated', title: 'Database connections near max_connections', section: 'database-connection', severity: 'worst' },
  },
  {
    name: 'database-unreachable',
    description: 'the monitor cannot connect to the database: the database-derived checks, and the target\'s 5xx and slow answers, are consequences',
    source: { checks: ['db.connect'], quorum: 'any' },
    targets: DATABASE_CONSEQUENCES,
    incident: { key: 'database-unreachable', title: 'Database unreachable: the monitor cannot connect', section: 'database-connection', severity: 'worst' },
  },
  {
    name: 'database-slow',
    description: 'database round trips above the threshold: slow statements, slow answers and the 5xx of timed-out requests follow',
    source: { checks: ['db.round-trip', 'perf.db-latency', 'db.slow-queries'], quorum: 'any', impacts: ['threshold'] },
    targets: DATABASE_CONSEQUENCES,
    incident: { key: 'database-slow', title: 'The database answers slowly', section: 'database-connection', severity: 'worst' },
  },
  {
    name: 'route-failing',
    description: 'one route answers 5xx or nothing to several checks while the health endpoints answer: one incident for that route (two checks at least: one check alone may have found its own bug)',
    source: { ...ROUTE_FAILURES, quorum: 'any', min: 2 },
    targets: [ROUTE_FAILURES],
    equal: ['route'],
    incident: { key: 'route-failing:{route}', title: '{route} answers 5xx or nothing', section: 'service-unavailable', severity: 'worst' },
  },
  {
    name: 'health-endpoint-failing',
    description: 'one health endpoint answers 5xx or nothing every time while the others answer, and the probe measured errors or slowness on that same route: one incident for the route (alone, the endpoint stays its own incident)',
    source: { checks: HEALTH_ENDPOINTS, ...ROUTE_FAILURES, quorum: 'any' },
    targets: [ERROR_RATE, SLOW],
    equal: ['route'],
    needsTarget: true,
    incident: { key: 'route-failing:{route}', title: '{route} answers 5xx or nothing', section: 'service-unavailable', severity: 'worst' },
  },
  {
    name: 'kubernetes-api',
    description: 'the monitor cannot reach or read the Kubernetes API: one monitoring gap, whichever Kubernetes checks it blinds',
    source: { checks: ['k8s.access'], quorum: 'any', impacts: ['gap'] },
    targets: [{ system: 'kubernetes', impacts: ['gap'] }],
    incident: { key: 'monitoring-gap:kubernetes', title: 'The monitor cannot read the Kubernetes API', severity: 'root' },
  },
  {
    name: 'prometheus-api',
    description: 'the Prometheus API refuses, fails or does not answer: one monitoring gap for every key-metric check',
    source: { system: 'prometheus', quorum: 'any', impacts: ['gap'], classes: API_FAILURE },
    targets: [{ system: 'prometheus', impacts: ['gap'], classes: API_FAILURE }],
    incident: {
      key: 'monitoring-gap:prometheus',
      title: 'The monitor cannot query Prometheus',
      section: 'key-metrics',
      severity: 'SEV-3',
      severityRule: 'monitoring gap: the Prometheus API is unreachable or refuses the monitor (SEV-3)',
      actions: [
        { step: "Ask Prometheus whether it is ready (the monitor's URL, from where the monitor runs)", command: 'curl -s "$PROMETHEUS_URL/-/ready"' },
        { step: 'Try one query with the monitor\'s token', command: 'curl -s -H "Authorization: Bearer $PROMETHEUS_TOKEN" "$PROMETHEUS_URL/api/v1/query?query=up"' },
        { step: 'Check PROMETHEUS_URL / PROMETHEUS_TOKEN of the environment', command: 'npx credlink-checks validate --env {{env}}' },
      ],
    },
  },
  {
    name: 'keyed-calls-hang',
    description: 'the valid-key call gets no answer while the health endpoints answer (no outage): every check whose requests to that route hung is part of it',
    source: { checks: ['security.valid-key-accepted'], quorum: 'any', classes: ['no-answer'] },
    targets: [{ ...ROUTE_FAILURES, classes: ['no-answer'] }, { system: 'target', impacts: ['gap'], classes: ['no-answer'] }],
    equal: ['route'],
    incident: {
      key: 'route-hangs:{route}',
      title: '{route} with a valid key gets no answer (it hangs) while the health endpoints answer',
      section: 'database-connection',
      severity: 'worst',
      actions: [
        { step: 'Time one keyed call (a hang over the request timeout is the finding)', command: 'curl -s -o /dev/null -w "%{http_code} %{time_total}s\\n" -m 30 -X {method} {{keyCurl}} {{baseUrl}}{path}' },
        { step: 'Is the database answering? (a frozen database leaves /health at 200 on services that do not query it there)', command: "psql \"$DATABASE_URL\" -c 'SELECT 1'" },
        { step: 'What the API pods log while the call hangs', command: 'kubectl logs -l {{selector}} -n {{namespace}} --since=10m --tail=200' },
      ],
    },
  },
  {
    name: 'route-rate-limited',
    description: 'one route answers 429 to every request of several checks (a limiter in front of authentication, or one the settings do not describe): the checks that could not run there are one gap',
    source: { ...RATE_LIMITED_GAPS, notClasses: except(['rate-limited']), quorum: 'any', min: 2 },
    targets: [RATE_LIMITED_GAPS, { checks: ['security.rate-limits-declared'], classes: ['rate-limited'] }],
    equal: ['route'],
    incident: {
      key: 'route-rate-limited:{route}',
      title: '{route} answers 429 before authentication: these checks could not run',
      section: 'api-key-auth',
      severity: 'SEV-3',
      severityRule: 'monitoring gap: the route refuses every request of these checks with 429, so what they test was not tested (SEV-3)',
      actions: [
        { step: 'See the 429 and the limit headers the route sends', command: 'curl -si -X {method} {{baseUrl}}{path} | grep -i -E "^(HTTP|retry-after|ratelimit)"' },
        { step: 'Describe the limit and how it counts (per client, per key, per header:X-API-Key) in CREDLINK_RATE_LIMIT_PATHS, then check it', command: 'npx credlink-checks validate --env {{env}}' },
      ],
    },
  },
  {
    name: 'rate-limits-misdescribed',
    description: 'the target answered 429 to requests the declared rate limits allow: the settings describe its limits wrongly, and the checks it refused are consequences',
    source: { checks: ['security.rate-limits-declared'], quorum: 'any' },
    targets: [RATE_LIMITED_GAPS, RATE_BUDGET_GAPS],
    incident: {
      key: 'rate-limits-misdescribed',
      title: 'The target answers 429 where the declared rate limits allow the request: the checks it refused could not run',
      severity: 'root',
      actions: [
        { step: 'See the 429 and the limit headers the route sends', command: 'curl -si -X {{protectedMethod}} {{baseUrl}}{{protectedPath}} | grep -i -E "^(HTTP|retry-after|ratelimit)"' },
        { step: 'Describe the limits and how they count (CREDLINK_RATE_LIMIT, CREDLINK_RATE_LIMIT_PATHS ... per key | per header:X-API-Key, CREDLINK_AUTH_FAIL_LIMIT_PER), then check them', command: 'npx credlink-checks validate --env {{env}}' },
      ],
    },
  },
  // Before route-missing: the protected flow's route missing is the API down, not a configuration gap.
  {
    name: 'protected-route-missing',
    description: 'the route of the protected flow answers 404/405 to every request of the API-key checks: the signing API is partially down (a route the environment declares absent, CREDLINK_PROTECTED_PATH=none, is never checked)',
    source: { checks: ['security.*'], classes: ['route-missing'], notClasses: except(['route-missing']), quorum: 'any', min: 2 },
    targets: [{ system: 'target', classes: ['route-missing'], notImpacts: SECURITY_SEVERE }],
    equal: ['route'],
    incident: {
      key: 'route-down:{route}',
      title: '{route}, which the protected flow needs, answers 404 to every request: the API is partially down',
      section: 'service-unavailable',
      severity: 'SEV-1',
      severityRule: 'partial outage: the route of the runbook\'s protected flow is gone (404/405 to every request) while the service answers; not a configuration gap unless the environment declares it absent (SEV-1)',
      actions: [
        { step: 'See what the target answers on the route', command: 'curl -i -X {method} {{baseUrl}}{path}' },
        { step: 'Check what the last deployment changed, and roll back if it dropped the route', command: 'kubectl rollout history deployment/{{deployment}} -n {{namespace}}' },
        { step: 'If the route moved on purpose: declare its path (CREDLINK_PROTECTED_PATH, or none when this deployment has none)', command: 'npx credlink-checks validate --env {{env}}' },
      ],
    },
  },
  {
    name: 'route-missing',
    description: 'one route answers 404/405: one configuration gap for that route, whichever checks use it',
    source: { system: 'target', quorum: 'any', classes: ['route-missing'] },
    targets: [{ system: 'target', classes: ['route-missing'], notImpacts: SECURITY_SEVERE }],
    equal: ['route'],
    incident: {
      key: 'route-missing:{route}',
      title: '{route} does not exist on this target (404/405): the route is missing or its configured path is wrong',
      section: 'basic-service-health',
      severity: 'SEV-3',
      severityRule: 'configuration gap: a configured route does not exist on the target, the checks that use it cannot judge it (SEV-3)',
      actions: [
        { step: 'See what the target answers on the route', command: 'curl -i -X {method} {{baseUrl}}{path}' },
        { step: 'Compare with the paths the environment configures (CREDLINK_*_PATH, CREDLINK_PROTECTED_*)', command: 'npx credlink-checks validate --env {{env}}' },
        { step: 'If the route should exist: check what the last deployment changed', command: 'kubectl rollout history deployment/{{deployment}} -n {{namespace}}' },
      ],
    },
  },
  {
    name: 'valid-keys-rejected',
    description: 'the valid key is refused (401/403): a restricted key refused with 401 instead of 403 is the same rejection, and the checks that judge other keys against the valid one (key-strict, derived keys) cannot tell anything (their gaps follow)',
    source: { checks: ['security.valid-key-accepted'], quorum: 'any', classes: ['auth'] },
    targets: [
      { checks: ['security.restricted-key-forbidden'], classes: ['auth'] },
      { checks: ['security.key-strict', 'security.derived-keys-rejected'], impacts: ['gap'], classes: ['auth'] },
    ],
    incident: { key: 'keys-rejected', title: 'The protected endpoint rejects valid API keys', severity: 'root' },
  },
  {
    name: 'oom-restarts',
    description: 'a container was OOMKilled: its restart and the Warning events about it follow',
    source: { checks: ['k8s.oomkilled'], quorum: 'any', notImpacts: ['gap'] },
    targets: [{ checks: ['k8s.restarts', 'k8s.warning-events'], notImpacts: ['gap'] }, MEMORY],
    incident: { key: 'memory', title: 'API containers run out of memory', section: 'high-memory', severity: 'worst' },
  },
  {
    name: 'cpu-saturated',
    description: 'CPU near its limit: slow answers follow',
    source: { checks: ['k8s.cpu-usage', 'prom.cpu'], quorum: 'any', impacts: ['threshold'] },
    targets: [{ checks: ['k8s.cpu-usage', 'prom.cpu'], impacts: ['threshold'] }, SLOW],
    incident: { key: 'cpu', title: 'API pods near their CPU limit', section: 'slow-responses', severity: 'worst' },
  },
  {
    name: 'unauthorized-access',
    description: 'the protected endpoint serves requests without a valid key or permission: every check that saw it served sees the same breach, and the checks that tell which key counts, or where, cannot tell (their gaps follow)',
    source: { system: 'target', impacts: ['security:breach'], quorum: 'any' },
    targets: [
      { system: 'target', impacts: ['security:breach'] },
      { checks: ['security.key-strict', 'security.derived-keys-rejected'], impacts: ['gap'] },
    ],
    incident: { key: 'symptom:unauthorized-access', title: 'The protected endpoint serves requests without a valid API key or permission', section: 'api-key-auth', severity: 'worst' },
  },
  {
    name: 'slow-limit-untested',
    description: 'answers so slow that the failed-attempt check could not land its attempts inside one window: its "not tested" gap follows from the slow responses',
    source: { ...SLOW, quorum: 'any' },
    targets: [SLOW, { checks: ['security.auth-rate-limit'], impacts: ['gap'] }],
    incident: { key: 'symptom:slow-responses', title: 'Slow responses', section: 'slow-responses', severity: 'worst' },
  },
];

/**
 * The default for findings no dependency explains: checks that measure the same symptom are one
 * incident (one page), their worst measure deciding. Declared per symptom rather than per runbook
 * section, because a section mixes unrelated causes (API Key Authentication Failures holds both a
 * breach and a missing hardening header, which need different responses).
 */
export const symptomGroups: readonly SymptomGroup[] = [
  {
    name: 'slow-responses',
    description: 'p95, one-shot latency, degradation against the baseline and the Prometheus histogram all measure slow answers',
    members: [SLOW],
    incident: { key: 'symptom:slow-responses', title: 'Slow responses', section: 'slow-responses', severity: 'worst' },
  },
  {
    name: 'error-rate',
    description: 'the probe\'s error rate, the Prometheus 5xx ratio and intermittent failures of one-shot requests all measure the share of failing requests',
    members: [ERROR_RATE, { system: 'target', impacts: ['intermittent'] }],
    incident: { key: 'symptom:error-rate', title: 'Requests fail above the error-rate threshold, or intermittently', section: 'high-error-rate', severity: 'worst' },
  },
  {
    name: 'pods',
    description: 'pods not ready, in a back-off, restarting, a stuck rollout, Warning events and a Service without ready endpoints describe one state of the deployment',
    // Order decides the root among equally severe findings: a stuck rollout names its cause best.
    members: [{ ...POD_SIDE, checks: ['k8s.rollout', 'k8s.pods-waiting', 'k8s.pods-ready', 'k8s.service-endpoints', 'k8s.restarts', 'k8s.warning-events'] }],
    incident: { key: 'symptom:pods', title: 'API pods are not healthy', severity: 'worst' },
  },
  {
    name: 'memory',
    description: 'memory near its limit, from the cluster and from Prometheus',
    members: [MEMORY],
    incident: { key: 'memory', title: 'API containers run out of memory', section: 'high-memory', severity: 'worst' },
  },
];

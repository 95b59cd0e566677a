/**
 * Hand-built schema-2 reports with correlated incidents, for the renderers' tests (terminal,
 * runbook.md, HTML, JUnit, Allure, gate, status page, living runbook). Sections, titles and first
 * steps come from the real catalog, so what the tests see is what a run produces; consequences
 * are declared by hand (tests/helpers/records.ts assembleReport), so any valid report renders.
 */
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { sections, type ActionStep } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { assembleReport, type FindingInput } from './records.ts';

export function findingFor(checkId: CheckId, severity: Severity, message: string, over: Partial<FindingInput> = {}): FindingInput {
  const e = catalog[checkId];
  const s = sections[e.section];
  return {
    checkId,
    title: e.title,
    status: 'failed',
    severity,
    severityRule: `rule for ${checkId} (${severity})`,
    section: { title: s.title, anchor: s.anchor },
    expected: '== 200',
    actual: '503',
    message,
    immediateActions: (s.immediateActions as readonly ActionStep[]).map((a) => ({ step: a.step, command: a.command, writes: Boolean(a.writes) })),
    evidence: [],
    durationMs: 12,
    ...over,
  };
}

const K8S: CheckId[] = ['k8s.access', 'k8s.pods-ready', 'k8s.pods-waiting', 'k8s.restarts', 'k8s.oomkilled', 'k8s.rollout', 'k8s.warning-events', 'k8s.memory-usage', 'k8s.cpu-usage', 'k8s.hpa-headroom', 'k8s.service-endpoints', 'k8s.service-selector'];
const PROM: CheckId[] = ['prom.error-rate', 'prom.latency', 'prom.memory', 'prom.cpu', 'prom.db-connections'];

export interface FixtureOptions {
  env?: string;
  runId?: string;
  startedAt?: string;
  kind?: RunbookReport['kind'];
  /** p50/p95 of the one measured endpoint. */
  latency?: { p50: number; p95: number };
}

/**
 * An outage as the correlation engine reports it: one SEV-0 incident rooted at health.root whose
 * consequences are three other failing checks (in other sections), plus an unrelated SEV-3
 * hardening incident; 17 checks skipped for two reasons; some passed.
 */
export function outageReport(o: FixtureOptions = {}): RunbookReport {
  const env = o.env ?? 'production';
  return assembleReport({
    env,
    kind: o.kind,
    runId: o.runId ?? '20260301T100000Z-outg',
    baseUrl: `https://${env}.credlink.example`,
    startedAt: o.startedAt ?? '2026-03-01T10:00:00.000Z',
    durationMs: 41_500,
    counts: { total: 25, passed: 3, failed: 5, skipped: 17, flaky: 0 },
    findings: [
      findingFor('health.root', 'SEV-0', `[STATUS] (503) == 200 on GET /health (${env})`, {
        severityRule: '3 of 3 health endpoints down: complete outage (SEV-0)',
        evidence: [{ name: 'response of GET /health', command: 'curl -f /health', contentType: 'application/json', body: '{"status":503,"body":"upstream unavailable"}' }],
      }),
      findingFor('health.status', 'SEV-0', `[STATUS] (503) == 200 on GET /api/v1/status (${env})`),
      findingFor('security.valid-key-accepted', 'SEV-1', `[STATUS] (503) == 200 on POST /api/v1/sign with the probe key (${env})`),
      findingFor('security.cors-allowed-origins', 'SEV-2', `[CORS] (503, no allow-origin) == allowed on OPTIONS /api/v1/sign (${env})`),
      findingFor('security.headers', 'SEV-3', `[HEADERS] (X-Powered-By: Express) == absent on GET /health (${env})`, {
        severityRule: 'hardening gap (SEV-3)',
        expected: 'no X-Powered-By',
        actual: 'X-Powered-By: Express',
      }),
    ],
    consequences: { 'health.root': ['health.status', 'security.valid-key-accepted', 'security.cors-allowed-origins'] },
    passed: [
      { checkId: 'health.document', title: catalog['health.document'].title, durationMs: 5 },
      { checkId: 'db.connect', title: catalog['db.connect'].title, durationMs: 7 },
      { checkId: 'db.round-trip', title: catalog['db.round-trip'].title, durationMs: 9 },
    ],
    skipped: [
      ...K8S.map((id) => ({ checkId: id, title: catalog[id].title, reason: 'KUBE_NAMESPACE is not set: Kubernetes checks skip' })),
      ...PROM.map((id) => ({ checkId: id, title: catalog[id].title, reason: 'PROMETHEUS_URL is not set' })),
    ],
    flaky: [],
    measurements: o.latency ? [{ checkId: 'perf.latency', name: 'GET /health', samples: 100, p50: o.latency.p50, p95: o.latency.p95, p99: null, errorRate: 0, unit: 'ms' }] : [],
    uncatalogued: [],
  });
}

/** A healthy run of the same shape. */
export function healthyReport(o: FixtureOptions = {}): RunbookReport {
  const env = o.env ?? 'production';
  return assembleReport({
    env,
    kind: o.kind,
    runId: o.runId ?? '20260301T090000Z-good',
    baseUrl: `https://${env}.credlink.example`,
    startedAt: o.startedAt ?? '2026-03-01T09:00:00.000Z',
    durationMs: 30_000,
    counts: { total: 4, passed: 4, failed: 0, skipped: 0, flaky: 0 },
    findings: [],
    passed: (['health.root', 'health.status', 'security.valid-key-accepted', 'security.headers'] as CheckId[]).map((id) => ({ checkId: id, title: catalog[id].title, durationMs: 5 })),
    skipped: [],
    flaky: [],
    measurements: o.latency ? [{ checkId: 'perf.latency', name: 'GET /health', samples: 100, p50: o.latency.p50, p95: o.latency.p95, p99: null, errorRate: 0, unit: 'ms' }] : [],
    uncatalogued: [],
  });
}

/** A run in which no check executed (e.g. a --grep that selects nothing). */
export function noEvidenceReport(o: FixtureOptions = {}): RunbookReport {
  const env = o.env ?? 'staging';
  return assembleReport({
    env,
    runId: o.runId ?? '20260301T110000Z-none',
    baseUrl: `https://${env}.credlink.example`,
    startedAt: o.startedAt ?? '2026-03-01T11:00:00.000Z',
    durationMs: 900,
    counts: { total: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 },
    findings: [],
    passed: [],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
    verdict: { status: 'no-evidence', severity: null, reason: '--grep "@nomatch" selects no check' },
  });
}

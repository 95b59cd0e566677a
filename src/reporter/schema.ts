/**
 * runbook.json: the triage of one run. This schema is the contract for everything that reads
 * a run (CLI summary, gate, cutover, schedule, alerts, HTML report).
 */
import { z } from '../zod.ts';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { responseClassSchema } from '../http/response-class.ts';
import { latencyHistogramSchema } from '../stats/histogram.ts';
import { impactSchema } from '../triage/impact.ts';

export const severitySchema = z.enum(SEVERITIES);

export const evidenceSchema = z.object({
  /** What was collected, e.g. "response of GET /health". */
  name: z.string(),
  /** The runbook command this evidence stands for, when it replaces one. */
  command: z.string().optional(),
  contentType: z.string(),
  /** The evidence itself (secrets scrubbed), or a path relative to the run folder. */
  body: z.string().optional(),
  path: z.string().optional(),
});

/** A latency / error-rate measurement a check recorded (annotation type "measurement"). */
export const measurementSchema = z.object({
  checkId: z.string(),
  /** What was measured, e.g. "GET /health". */
  name: z.string(),
  samples: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /** Share of failed requests (0..1), when the measurement counts errors. */
  errorRate: z.number().nullable(),
  /**
   * Every request of the measurement by the class of its answer (src/http/response-class.ts),
   * rate-limited and unanswered ones included; absent in reports written before it was counted.
   */
  answers: z.partialRecord(responseClassSchema, z.number().int().nonnegative()).optional(),
  /** The latencies the percentiles are computed from, in fixed buckets (src/stats/histogram.ts): the daemon adds them up. */
  histogram: latencyHistogramSchema.optional(),
  /**
   * The answered requests' latencies themselves (ms, to 0.01), so a later run can compare its
   * distribution with this one (perf.degradation, src/cutover/judge.ts); absent in older reports.
   */
  latenciesMs: z.array(z.number()).optional(),
  /**
   * Present when the samples are a monitoring daemon's window (src/monitor/reuse.ts), not the
   * run's own probe: its length, size and age, e.g. "window: last 5 min, n=312 (the monitor's samples, saved 4 s ago)".
   */
  window: z.string().optional(),
  unit: z.literal('ms'),
});

/** One answer a failing check saw that was not a success: the input of correlation (src/incidents/). */
export const responseSeenSchema = z.object({
  /** "GET /health", "POST /api/v1/sign"; calls to other systems are prefixed ("prometheus GET /api/v1/query"). */
  call: z.string(),
  status: z.number().nullable(),
  class: responseClassSchema,
  /** How many times the check saw this answer (absent in reports written before it was counted: once). */
  count: z.number().int().positive().optional(),
  /**
   * Systems the answer's body named as what failed (a 5xx saying "connection to server ... port
   * 5432 failed": src/http/names-database.ts); the excerpt is in the finding's evidence.
   */
  names: z.array(z.enum(['database'])).optional(),
});

const sectionRef = z.object({ title: z.string(), anchor: z.string() });
const actionSchema = z.object({ step: z.string(), command: z.string(), writes: z.boolean() });

export const findingSchema = z.object({
  checkId: z.string(),
  /** The incident this finding belongs to (incidents[].id). */
  incidentId: z.string(),
  /** root: the finding that names the incident's cause; consequence: explained by that root cause. */
  role: z.enum(['root', 'consequence']),
  title: z.string(),
  /** "failed" or "timedOut" (the check itself ran out of time). */
  status: z.enum(['failed', 'timedOut', 'interrupted']),
  severity: severitySchema,
  /** Which runbook severity definition produced the severity. */
  severityRule: z.string(),
  section: sectionRef,
  procedure: sectionRef.optional(),
  expected: z.string(),
  actual: z.string(),
  /** The failure message (expected vs actual, what was called, where). */
  message: z.string(),
  immediateActions: z.array(actionSchema),
  evidence: z.array(evidenceSchema),
  /** Non-success answers the check saw (bounded), classified once (src/http/response-class.ts). */
  responses: z.array(responseSeenSchema),
  /** What the check measured about the damage (src/triage/impact.ts), when it recorded it: input of severity and correlation. */
  impact: impactSchema.optional(),
  durationMs: z.number(),
  file: z.string().optional(),
});

/**
 * One root cause. The verdict, the exit code, alerts and every report speak in incidents;
 * findings are their evidence. docs/incidents-and-severities.md documents the model.
 */
export const incidentSchema = z.object({
  /** Stable: the same root cause in the same environment has the same id in every run (alert dedup key). */
  id: z.string(),
  /** The root cause without the environment, e.g. "outage", "route-missing:GET /x", "check:security.headers". */
  key: z.string(),
  /** The dependency rule that formed it (runbooks/dependencies.ts), or "check" for a finding standing alone. */
  rule: z.string(),
  /** One line for a page: what is wrong. */
  title: z.string(),
  severity: severitySchema,
  /** Which runbook severity definition produced the severity. */
  severityRule: z.string(),
  section: sectionRef,
  immediateActions: z.array(actionSchema),
  root: z.object({ checkId: z.string(), message: z.string() }),
  /** Check ids of the findings explained by the root cause (kept as evidence, never paged on their own). */
  consequences: z.array(z.string()),
  /**
   * What orders the incident's failures when its rule rests on answers (the API's error answers
   * that name the database: route, status and a scrubbed excerpt); absent otherwise.
   */
  evidence: z.array(evidenceSchema).optional(),
});

/** One stretch of a run: `startMs` after `timings.origin`, lasting `ms`. */
export const phaseSchema = z.object({
  /**
   * "tool start", "embedded start", "playwright start", "workers start", "suite <file>",
   * "diagnostics", "reporters", "scrubbing", "teardown", "rendering" (docs/benchmark.md).
   */
  name: z.string(),
  startMs: z.number(),
  /** Duration; for "diagnostics" the time checks spent collecting or waiting for them, summed. */
  ms: z.number(),
});

export const timingsSchema = z.object({
  /** The instant the phases' startMs count from (ISO 8601). */
  origin: z.string(),
  /** From the origin to the end of the last phase recorded, ms. */
  totalMs: z.number(),
  phases: z.array(phaseSchema),
  /** CPU seconds of the run: cpu.checks + cpu.tool + cpu.children (absent when not measurable). */
  cpuSeconds: z.number().optional(),
  cpu: z
    .object({
      /** The Playwright runner and its workers, measured by the runner itself. */
      checks: z.number(),
      /** The calling process (the CLI, or the daemon) during the run. */
      tool: z.number().optional(),
      /** Other child processes of the calling process that ended during the run (embedded PostgreSQL). */
      children: z.number().optional(),
      /** Another run overlapped in the same process (the daemon): `tool` and `children` include its work too. */
      shared: z.boolean().optional(),
    })
    .optional(),
  /** Peak resident memory of the largest process of the run, MiB. */
  peakRssMiB: z.number().optional(),
  /** Per process: its role, CPU seconds and peak resident memory (MiB). */
  processes: z.array(z.object({ role: z.enum(['tool', 'runner', 'worker']), cpuSeconds: z.number(), peakRssMiB: z.number() })).optional(),
});

export const runbookReportSchema = z.object({
  schemaVersion: z.literal(2),
  env: z.string(),
  /**
   * observation: a run of the environment as it is (history, baselines, trends, alerts);
   * drill: a rehearsal against injected faults; candidate: cutover's run of a side being validated.
   * Only observations make history.
   */
  kind: z.enum(['observation', 'drill', 'candidate']),
  runId: z.string(),
  baseUrl: z.string(),
  /**
   * Where the monitor that ran it runs (config/location.ts: CREDLINK_LOCATION or schedule.json
   * `location`, else "default"). Absent in reports written before locations: where is not known.
   */
  location: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number(),
  /**
   * healthy: checks ran and nothing is wrong; findings: at least one incident (severity = the worst);
   * no-evidence: no check executed (none selected, all skipped): never healthy;
   * interrupted: the run was stopped before it finished: never healthy.
   */
  verdict: z.object({
    status: z.enum(['healthy', 'findings', 'no-evidence', 'interrupted']),
    severity: severitySchema.nullable(),
    /** Why, for no-evidence and interrupted. */
    reason: z.string().optional(),
  }),
  counts: z.object({
    total: z.number(),
    passed: z.number(),
    failed: z.number(),
    skipped: z.number(),
    flaky: z.number(),
  }),
  /** Root causes, most severe first. */
  incidents: z.array(incidentSchema),
  /** Every finding, each pointing at its incident. */
  findings: z.array(findingSchema),
  passed: z.array(z.object({ checkId: z.string(), title: z.string(), durationMs: z.number() })),
  skipped: z.array(z.object({ checkId: z.string(), title: z.string(), reason: z.string() })),
  flaky: z.array(z.object({ checkId: z.string(), title: z.string(), retries: z.number(), firstError: z.string() })),
  /** Latency measurements recorded by checks, for baselines, trends and charts. */
  measurements: z.array(measurementSchema),
  /** Tests that declare no catalog id (a bug in the suite: `validate` reports them). */
  uncatalogued: z.array(z.string()),
  /**
   * What the run sent to the target against its declared rate limits (src/budget/). Optional:
   * absent in reports written before it and in hand-built ones.
   */
  traffic: z
    .object({
      /** The declared limits the run planned for, e.g. "CREDLINK_RATE_LIMIT=100/min". */
      limits: z.array(z.string()),
      /** Requests of the checks (paced) and of the latency probe (planned rate). */
      sent: z.number(),
      probeSent: z.number(),
      /** Time checks waited for room in the budget, ms. */
      waitedMs: z.number(),
      /** 429 answers per call ("POST /sign"), the probe's included: never silently dropped. */
      rateLimited: z.record(z.string(), z.number()),
    })
    .optional(),
  /** Where the run spent its time, CPU and memory (docs/benchmark.md). Optional: absent in older reports. */
  timings: timingsSchema.optional(),
});

export type RunbookReport = z.infer<typeof runbookReportSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type Incident = z.infer<typeof incidentSchema>;
export type ResponseSeen = z.infer<typeof responseSeenSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;
export type Measurement = z.infer<typeof measurementSchema>;
export type Timings = z.infer<typeof timingsSchema>;
export type Phase = z.infer<typeof phaseSchema>;

/** One check's result as the reporter collects it (input of toReport). */
export interface TestRecord {
  title: string;
  file?: string;
  /** Annotations declared statically and pushed at run time. */
  annotations: { type: string; description?: string }[];
  /** Final outcome: the last attempt's status. */
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  /** Playwright's outcome: "flaky" = failed first, passed on retry. */
  outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  retries: number;
  durationMs: number;
  /** Error messages of the last attempt (first one of the first attempt for flaky). */
  errors: string[];
  firstError?: string;
  evidence: Evidence[];
}

/**
 * runbook.json: the triage of one run. This schema is the contract for everything that reads
 * a run (CLI summary, gate, cutover, schedule, alerts, HTML report).
 */
import { z } from 'zod';
import { SEVERITIES } from '../../runbooks/severity.ts';

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
  unit: z.literal('ms'),
});

export const findingSchema = z.object({
  checkId: z.string(),
  title: z.string(),
  /** "failed" or "timedOut" (the check itself ran out of time). */
  status: z.enum(['failed', 'timedOut', 'interrupted']),
  severity: severitySchema,
  /** Which runbook severity definition produced the severity. */
  severityRule: z.string(),
  section: z.object({ title: z.string(), anchor: z.string() }),
  procedure: z.object({ title: z.string(), anchor: z.string() }).optional(),
  expected: z.string(),
  actual: z.string(),
  /** The failure message (expected vs actual, what was called, where). */
  message: z.string(),
  immediateActions: z.array(z.object({ step: z.string(), command: z.string(), writes: z.boolean() })),
  evidence: z.array(evidenceSchema),
  durationMs: z.number(),
  file: z.string().optional(),
});

export const runbookReportSchema = z.object({
  schemaVersion: z.literal(1),
  env: z.string(),
  runId: z.string(),
  baseUrl: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  verdict: z.object({
    status: z.enum(['healthy', 'findings']),
    severity: severitySchema.nullable(),
  }),
  counts: z.object({
    total: z.number(),
    passed: z.number(),
    failed: z.number(),
    skipped: z.number(),
    flaky: z.number(),
  }),
  findings: z.array(findingSchema),
  passed: z.array(z.object({ checkId: z.string(), title: z.string(), durationMs: z.number() })),
  skipped: z.array(z.object({ checkId: z.string(), title: z.string(), reason: z.string() })),
  flaky: z.array(z.object({ checkId: z.string(), title: z.string(), retries: z.number(), firstError: z.string() })),
  /** Latency measurements recorded by checks, for baselines, trends and charts. */
  measurements: z.array(measurementSchema),
  /** Tests that declare no catalog id (a bug in the suite: `validate` reports them). */
  uncatalogued: z.array(z.string()),
});

export type RunbookReport = z.infer<typeof runbookReportSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;
export type Measurement = z.infer<typeof measurementSchema>;

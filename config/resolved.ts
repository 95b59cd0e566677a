/**
 * The validated, typed configuration one run works with. Built by config/load.ts from an env
 * file, handed to Playwright workers as JSON in CREDLINK_RESOLVED_CONFIG (see config/index.ts).
 */
import { z } from 'zod';
import { SEVERITIES } from '../runbooks/severity.ts';

const tier = z.object({ warning: z.number(), critical: z.number() });

export const resolvedConfigSchema = z.object({
  /** Environment name (file stem), e.g. "staging". */
  env: z.string(),
  /** The env file it came from, for error messages; null when built in code. */
  envFile: z.string().nullable(),
  target: z.enum(['embedded', 'remote']),
  production: z.boolean(),
  baseUrl: z.string(),
  apiKeys: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  paths: z.object({ health: z.string(), status: z.string(), apiHealth: z.string() }),
  protectedEndpoint: z.object({ method: z.enum(['GET', 'POST', 'PUT']), path: z.string() }),
  databaseUrl: z.string().optional(),
  kube: z
    .object({
      kubeconfig: z.string().optional(),
      context: z.string().optional(),
      namespace: z.string(),
      deployment: z.string(),
      labelSelector: z.string(),
      /** Service in front of the pods (endpoints, blue-green colour). */
      service: z.string(),
      /** Minutes: Warning events and restarts younger than this are "recent". */
      eventWindowMin: z.number(),
    })
    .optional(),
  thresholds: z.object({
    responseTimeMs: tier,
    errorRate: tier,
    memoryRatio: tier,
    cpuRatio: tier,
    dbConnectionsRatio: tier,
    databaseRoundTripMs: tier,
  }),
  timeouts: z.object({ requestMs: z.number(), dbConnectMs: z.number(), dbStatementMs: z.number(), checkMs: z.number() }),
  retries: z.number(),
  failOn: z.enum(SEVERITIES),
  /** Where this run writes its reports. */
  runDir: z.string().optional(),
  runId: z.string().optional(),
});

export type ResolvedConfig = z.infer<typeof resolvedConfigSchema>;

/** Every secret value the configuration holds: scrubbed from every output. */
export function secretsOf(c: ResolvedConfig): string[] {
  const out = [...c.apiKeys];
  if (c.databaseUrl) {
    try {
      const u = new URL(c.databaseUrl);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
    } catch {
      /* validated earlier */
    }
  }
  return [...new Set(out.filter((s) => s.length >= 4))];
}

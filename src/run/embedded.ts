/**
 * The embedded environment: for CREDLINK_TARGET=embedded the tool starts the reference target
 * (and what else the checks need locally) and rewrites the configuration to point at it.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import type { ActiveFaults } from '../target/faults.ts';
import { DEFAULT_ALLOWED_ORIGINS, startReferenceTarget, type ReferenceTarget } from '../target/index.ts';

export interface EmbeddedStack {
  config: ResolvedConfig;
  target: ReferenceTarget;
  secrets: string[];
  stop(): Promise<void>;
}

export async function startEmbedded(
  config: ResolvedConfig,
  opts: { faults?: ActiveFaults; log?: (line: string) => void } = {},
): Promise<EmbeddedStack> {
  const target = await startReferenceTarget({
    faults: opts.faults,
    databaseUrl: config.databaseUrl,
    allowedOrigins: config.allowedOrigins.length ? config.allowedOrigins : DEFAULT_ALLOWED_ORIGINS,
    environment: config.env,
    authFailLimit: { max: config.security.authFailLimit.max, windowMs: config.security.authFailLimit.windowS * 1000 },
    log: opts.log,
  });
  const resolved: ResolvedConfig = {
    ...config,
    baseUrl: target.url,
    apiKeys: [...target.apiKeys],
    security: { ...config.security, restrictedApiKey: target.restrictedApiKey },
    allowedOrigins: [...target.allowedOrigins],
    databaseUrl: target.monitorDatabaseUrl,
  };
  return { config: resolved, target, secrets: target.secrets(), stop: () => target.stop() };
}

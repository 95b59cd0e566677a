/**
 * Starts the reference CredLink target: PostgreSQL (embedded or DATABASE_URL), a fault proxy
 * in front of it, and the API on 127.0.0.1. The tool generates the API key and the admin
 * token; nothing is asked of the user.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { ReferenceApp } from './app.ts';
import { formatFaults, type ActiveFaults } from './faults.ts';
import { PgFaultProxy } from './pg-proxy.ts';
import { startDatabase, type TargetDatabase } from './postgres.ts';
import { RedirectSink } from './redirect-sink.ts';

export interface TargetOptions {
  faults?: ActiveFaults;
  /** Use this PostgreSQL (a superuser URL) instead of an embedded one. */
  databaseUrl?: string;
  allowedOrigins?: readonly string[];
  environment?: string;
  version?: string;
  statusLabel?: string;
  authFailLimit?: { max: number; windowMs: number };
  /** Window of the limiter-before-auth fault (default 60 s). */
  limiterWindowMs?: number;
  log?: (line: string) => void;
}

export type FaultListener = (faults: ActiveFaults) => Promise<void> | void;

export interface ReferenceTarget {
  url: string;
  /** The generated API keys: the first is the probe key. */
  apiKeys: readonly string[];
  /** A generated key that authenticates but lacks the sign permission (403). */
  restrictedApiKey: string;
  /** The other origin the redirect-to-other-origin fault points to; records whether keys arrived. */
  redirectSink: RedirectSink;
  allowedOrigins: readonly string[];
  /** Read-only monitor role URL, through the fault proxy: what the checks use as DATABASE_URL. */
  monitorDatabaseUrl: string;
  adminToken: string;
  database: TargetDatabase;
  app: ReferenceApp;
  faults(): ActiveFaults;
  setFaults(f: ActiveFaults): Promise<void>;
  /** Run `listener` whenever faults change (e.g. the Kubernetes simulator follows them). */
  onFaults(listener: FaultListener): void;
  /** Every secret the target generated, for scrubbing. */
  secrets(): string[];
  stop(): Promise<void>;
}

/** Not the production origins: a drill's first steps (CORS section) must not name production. */
export const DEFAULT_ALLOWED_ORIGINS = ['https://app.credlink.test', 'https://console.credlink.test'];

export async function startReferenceTarget(opts: TargetOptions = {}): Promise<ReferenceTarget> {
  const database = await startDatabase({ databaseUrl: opts.databaseUrl, log: opts.log });
  const proxy = new PgFaultProxy({ host: database.host, port: database.port });
  await proxy.start();
  const viaProxy = (u: string) => {
    const url = new URL(u);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  };
  const apiKeys = [`clk_${crypto.randomBytes(24).toString('base64url')}`, `clk_${crypto.randomBytes(24).toString('base64url')}`];
  const restrictedApiKey = `clk_${crypto.randomBytes(24).toString('base64url')}`;
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const redirectSink = new RedirectSink();
  await redirectSink.start();
  const allowedOrigins = opts.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const listeners: FaultListener[] = [];
  let held: pg.Client[] = [];
  let active: ActiveFaults = {};

  const apply = async (f: ActiveFaults) => {
    active = { ...f };
    app.setFaults(active);
    const slow = typeof f['database-slow'] === 'number' ? f['database-slow'] : 0;
    proxy.set({ down: Boolean(f['database-down']), latencyMs: slow / 2, frozen: Boolean(f['database-frozen']) });
    await holdConnections(Boolean(f['connection-pool-exhaustion']));
    await resetStatements();
    // The reference has no customer traffic: run the application's statement a few times so
    // a slow database shows in pg_stat_statements as it would under real load.
    if (slow) await Promise.all([1, 2, 3].map(() => app.pool.query(`SELECT pg_sleep(${slow / 1000}) AS slept, 1 AS ok`).catch(() => {})));
    for (const l of listeners) await l(active);
    opts.log?.(`faults: ${formatFaults(active)}`);
  };

  const holdConnections = async (on: boolean) => {
    if (!on) {
      await Promise.all(held.map((c) => c.end().catch(() => {})));
      held = [];
      return;
    }
    if (held.length) return;
    const c0 = new pg.Client({ connectionString: database.adminUrl, connectionTimeoutMillis: 5000 });
    await c0.connect();
    // Monitor sessions come and go (a finished run's probes may still be listed while their
    // backends exit): count only the others, so the held share does not depend on timing.
    const monitorRole = decodeURIComponent(new URL(database.monitorUrl).username);
    const r = await c0.query<{ max: number; used: number }>(
      `SELECT current_setting('max_connections')::int AS max,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename IS DISTINCT FROM $1) AS used`,
      [monitorRole],
    );
    held.push(c0);
    const { max, used } = r.rows[0]!;
    const want = Math.ceil(max * 0.96) - used;
    for (let i = 0; i < want; i++) {
      const c = new pg.Client({ connectionString: database.adminUrl, connectionTimeoutMillis: 5000 });
      c.on('error', () => {});
      await c.connect();
      held.push(c);
    }
  };

  const resetStatements = async () => {
    if (!database.pgStatStatements) return;
    const c = new pg.Client({ connectionString: database.adminUrl, connectionTimeoutMillis: 5000 });
    try {
      await c.connect();
      await c.query('SELECT pg_stat_statements_reset()');
    } catch {
      /* database-down: nothing to reset */
    } finally {
      await c.end().catch(() => {});
    }
  };

  const app = new ReferenceApp({
    apiKeys,
    restrictedKeys: [restrictedApiKey],
    redirectTo: redirectSink.url,
    allowedOrigins,
    version: opts.version ?? '1.0.0-reference',
    environment: opts.environment ?? 'local',
    databaseUrl: viaProxy(database.appUrl),
    adminToken,
    authFailLimit: opts.authFailLimit ?? { max: 20, windowMs: 60_000 },
    limiterWindowMs: opts.limiterWindowMs,
    statusLabel: opts.statusLabel,
    onFaults: apply,
  });
  let url: string;
  try {
    url = await app.listen();
    await app.pool.query(`CREATE TABLE IF NOT EXISTS credlink.signatures (id bigserial PRIMARY KEY, created_at timestamptz DEFAULT now())`);
    await apply(opts.faults ?? {});
  } catch (err) {
    await app.close();
    await redirectSink.stop();
    await proxy.stop();
    await database.stop();
    throw err;
  }

  let stopped = false;
  return {
    url,
    apiKeys,
    restrictedApiKey,
    redirectSink,
    allowedOrigins,
    monitorDatabaseUrl: viaProxy(database.monitorUrl),
    adminToken,
    database,
    app,
    faults: () => active,
    setFaults: apply,
    onFaults: (l) => void listeners.push(l),
    secrets: () => {
      const pw = (u: string) => decodeURIComponent(new URL(u).password);
      return [...apiKeys, restrictedApiKey, adminToken, pw(database.adminUrl), pw(database.appUrl), pw(database.monitorUrl)];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await holdConnections(false);
      await app.close();
      await redirectSink.stop();
      await proxy.stop();
      await database.stop();
    },
  };
}

/** Switch faults of a running target through its admin endpoint (loopback only). */
export async function setRemoteFaults(url: string, adminToken: string, faults: ActiveFaults): Promise<void> {
  const res = await fetch(`${url}/__admin/faults`, {
    method: 'PUT',
    headers: { 'x-admin-token': adminToken, 'content-type': 'application/json' },
    body: JSON.stringify({ faults }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`admin endpoint answered ${res.status}`);
}

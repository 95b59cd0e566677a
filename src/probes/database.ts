/**
 * The read-only database probe: one connection, opened lazily, with connection, statement and
 * query timeouts, in a read-only transaction mode. The runbook's `new Pool(process.env.DATABASE_URL)`
 * passes a string where pg expects { connectionString }; this is the corrected form.
 */
import pg from 'pg';

export interface DbProbeOptions {
  url: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export class DbProbe {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  constructor(private readonly opts: DbProbeOptions) {}

  /** host:port/database, without credentials, for messages. */
  get where(): string {
    try {
      const u = new URL(this.opts.url);
      return `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'postgres://(unparseable URL)';
    }
  }

  async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: this.opts.url,
        connectionTimeoutMillis: this.opts.connectTimeoutMs,
        statement_timeout: this.opts.statementTimeoutMs,
        query_timeout: this.opts.statementTimeoutMs + 1000,
        application_name: 'credlink-checks',
        options: '-c default_transaction_read_only=on',
      });
      c.on('error', () => {
        if (this.client === c) this.client = undefined;
      });
      try {
        await c.connect();
      } catch (err) {
        this.connecting = undefined;
        await c.end().catch(() => {});
        throw err;
      }
      this.client = c;
      return c;
    })();
    return this.connecting;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const c = await this.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } catch (err) {
      if (/terminat|Connection|ECONN/i.test((err as Error).message)) {
        this.client = undefined;
        this.connecting = undefined;
      }
      throw err;
    }
  }

  /** Round-trip time of one `SELECT 1`, in milliseconds. */
  async roundTripMs(): Promise<number> {
    const c = await this.connect();
    const t0 = performance.now();
    await c.query('SELECT 1');
    return performance.now() - t0;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.connecting = undefined;
    await c?.end().catch(() => {});
  }
}

/** The error of a failed connect or query as one line, without credentials. */
export function dbErrorLine(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ').replace(/\s+/g, ' ').slice(0, 300) || 'unknown database error';
}

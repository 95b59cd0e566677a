/**
 * The reference CredLink API: the routes the runbook names, on node:http, backed by a real
 * PostgreSQL pool. Faults (src/target/faults.ts) change its behaviour to reproduce incidents.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import pg from 'pg';
import { EveryNth, type ActiveFaults } from './faults.ts';
import { TargetMetrics } from './metrics.ts';
import { looksLikeImage } from '../http/probe-image.ts';

export interface AppOptions {
  apiKeys: readonly string[];
  /** Keys that authenticate but lack the sign permission: 403 on the protected endpoint. */
  restrictedKeys?: readonly string[];
  /** Where the redirect-to-other-origin fault sends clients (another origin on loopback). */
  redirectTo?: string;
  allowedOrigins: readonly string[];
  version: string;
  environment: string;
  /** Application database URL (through the fault proxy). */
  databaseUrl: string;
  adminToken: string;
  /** Failed authentication attempts allowed per client inside the window, then 429. */
  authFailLimit: { max: number; windowMs: number };
  /** Window of the limiter-before-auth and keyless-bucket faults (default 60 s). */
  limiterWindowMs?: number;
  /** Label name of the HTTP status in /metrics ("status"; the real service uses "status_code"). */
  statusLabel?: string;
  /** Called when faults change through the admin endpoint. */
  onFaults?: (faults: ActiveFaults) => Promise<void> | void;
}

const API_ROUTES = new Set(['/health', '/api/v1/health', '/api/v1/status', '/api/v1/sign']);
const MAX_BODY = 64 * 1024;
/** Share of requests the long-tail fault slows down: above 5% so a p95 of 100 samples must see it. */
export const LONG_TAIL_PCT = 8;
/** The reference target's pretend container memory limit (1 GiB), exposed in /metrics. */
export const REFERENCE_MEMORY_LIMIT_BYTES = 1024 ** 3;

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.'));
}

export class ReferenceApp {
  faults: ActiveFaults = {};
  readonly metrics: TargetMetrics;
  readonly pool: pg.Pool;
  private readonly started = Date.now();
  private readonly errorPicker = new EveryNth();
  private readonly tailPicker = new EveryNth();
  /** Separate counters: each fault's share is exact over the requests it applies to. */
  private readonly healthErrorPicker = new EveryNth();
  private readonly endpointErrorPicker = new EveryNth();
  private readonly leakyPicker = new EveryNth();
  private readonly authFailures = new Map<string, { count: number; since: number }>();
  private readonly limiterCounts = new Map<string, { count: number; since: number }>();
  private readonly bucketCounts = new Map<string, { count: number; since: number }>();
  /** Window of the limiter-before-auth fault; tests lengthen it so a Retry-After outlasts a check. */
  limiterWindowMs: number;
  private server?: http.Server;
  private readonly keys: Buffer[];
  private readonly restricted: Buffer[];
  private readonly hmacKey = crypto.randomBytes(32);

  constructor(private readonly opts: AppOptions) {
    this.metrics = new TargetMetrics(opts.statusLabel);
    this.limiterWindowMs = opts.limiterWindowMs ?? 60_000;
    this.keys = opts.apiKeys.map((k) => Buffer.from(k));
    this.restricted = (opts.restrictedKeys ?? []).map((k) => Buffer.from(k));
    this.pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 5,
      connectionTimeoutMillis: 2000,
      query_timeout: 4000,
      // Keep idle connections (like a service's warm pool): if they were reaped mid-run, the
      // connection-pool-exhaustion fault's 96% share would sag below the critical threshold.
      idleTimeoutMillis: 0,
    });
    this.pool.on('error', () => {});
  }

  async listen(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) this.json(res, 500, { error: 'internal_error' });
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 10_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address() as net.AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  setFaults(f: ActiveFaults): void {
    this.faults = f;
    this.errorPicker.reset();
    this.tailPicker.reset();
    this.healthErrorPicker.reset();
    this.endpointErrorPicker.reset();
    this.leakyPicker.reset();
    this.authFailures.clear();
    this.limiterCounts.clear();
    this.bucketCounts.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.pool.end().catch(() => {});
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://target.invalid');
    const route = API_ROUTES.has(url.pathname) ? url.pathname : url.pathname === '/metrics' ? '/metrics' : 'unmatched';
    res.on('finish', () => {
      if (route === 'unmatched' && url.pathname.startsWith('/__admin')) return;
      if (this.faults['errors-unmetered'] && res.statusCode >= 500) return;
      this.metrics.observe(req.method ?? 'GET', route, res.statusCode, Number(process.hrtime.bigint() - t0) / 1e9);
    });

    if (url.pathname.startsWith('/__admin/')) return this.admin(req, res, url);
    if (url.pathname === '/metrics') {
      const db = await this.databaseMetrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.metrics.render([...this.processMetrics(), ...db]));
      return;
    }

    this.securityHeaders(res);
    const f = this.faults;
    if (typeof f['slow-responses'] === 'number') await sleep(f['slow-responses']);
    if (typeof f['long-tail'] === 'number' && this.tailPicker.hit(LONG_TAIL_PCT)) await sleep(f['long-tail']);
    if (f['service-unavailable']) return this.json(res, 503, { error: 'service_unavailable' });
    if (f['bad-gateway']) return this.json(res, 502, { error: 'bad_gateway' });
    // database-errors-500: every handler asks the database first and forwards the driver's error (preflights excepted).
    if (f['database-errors-500'] && req.method !== 'OPTIONS') {
      const failed = await this.pool.query('SELECT 1').then(() => undefined, (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]);
      if (failed !== undefined) return this.json(res, 500, { error: 'internal_error', message: failed });
    }
    if (typeof f['high-error-rate'] === 'number' && this.errorPicker.hit(f['high-error-rate'])) {
      return this.json(res, 500, { error: 'internal_error' });
    }
    const intermittent = f['intermittent-500'];
    if (typeof intermittent === 'number' && req.method !== 'OPTIONS' && url.pathname === '/health' && this.healthErrorPicker.hit(intermittent)) {
      return this.json(res, 500, { error: 'internal_error' });
    }
    const endpoint = f['endpoint-error-rate'];
    if (typeof endpoint === 'object' && req.method !== 'OPTIONS' && url.pathname === endpoint.path && this.endpointErrorPicker.hit(endpoint.percent)) {
      return this.json(res, 500, { error: 'internal_error' });
    }
    const leaky = f['leaky-500'];
    if (typeof leaky === 'object' && req.method !== 'OPTIONS' && url.pathname === leaky.path && this.leakyPicker.hit(leaky.percent)) {
      const stack = `TypeError: Cannot read properties of undefined (reading 'version')\n    at statusHandler (/srv/credlink-api/src/routes/status.js:17:31)\n    at Layer.handle (/srv/credlink-api/node_modules/express/lib/router/layer.js:95:5)`;
      return this.json(res, 500, { error: 'internal_error', message: "Cannot read properties of undefined (reading 'version')", stack });
    }
    if (f['leaky-config'] && req.method !== 'OPTIONS' && url.pathname === '/api/v1/status') {
      // What a debug error page that dumps the process's configuration sends.
      return this.json(res, 500, { error: 'internal_error', server: 'Express/4.18.2', config: { databaseUrl: this.opts.databaseUrl } });
    }

    const origin = req.headers.origin;
    const allowed = this.cors(req, res, origin);
    if (origin && !allowed && f['cors-error-500']) {
      // As the real service does: the CORS middleware throws, the error handler answers 500.
      for (const h of res.getHeaderNames()) if (h.startsWith('access-control-')) res.removeHeader(h);
      return this.json(res, 500, { error: 'internal_error', message: 'Not allowed by CORS' });
    }
    if (req.method === 'OPTIONS') {
      if (origin && !allowed) return this.json(res, 403, { error: 'origin_not_allowed' });
      res.writeHead(204);
      res.end();
      return;
    }

    // A route the deployment lacks: whatever the method, the not-found answer of any unknown path
    // (CORS preflights were answered above, as the real service's global CORS middleware does).
    if (f['route-missing'] === url.pathname) return this.json(res, 404, { error: 'not_found' });

    switch (`${req.method} ${url.pathname}`) {
      case 'GET /health':
      case 'GET /api/v1/health':
        return this.health(res);
      case 'GET /api/v1/status':
        return this.json(res, 200, {
          service: 'credlink-api',
          version: this.opts.version,
          environment: this.opts.environment,
          status: 'operational',
          uptime: this.uptime(),
        });
      case 'POST /api/v1/sign':
        return this.sign(req, res);
      default:
        if (API_ROUTES.has(url.pathname)) return this.json(res, 405, { error: 'method_not_allowed' });
        return this.json(res, 404, { error: 'not_found' });
    }
  }

  private securityHeaders(res: http.ServerResponse): void {
    if (this.faults['missing-security-headers']) {
      res.setHeader('X-Powered-By', 'Express');
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
  }

  /** Sets CORS headers; returns whether the origin is allowed. */
  private cors(req: http.IncomingMessage, res: http.ServerResponse, origin: string | undefined): boolean {
    // cors-preflight-only: the CORS middleware is mounted on OPTIONS alone; other requests never meet it.
    if (this.faults['cors-preflight-only'] && req.method !== 'OPTIONS') return true;
    if (!this.faults['cors-no-vary']) res.setHeader('Vary', 'Origin');
    if (!origin) return true;
    // cors-credentials-any-origin: the credentials header is set before the allow-list is asked.
    if (this.faults['cors-credentials-any-origin']) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (this.faults['cors-wildcard']) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    } else if (this.faults['cors-reflect-any-origin']) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    } else if ((this.opts.allowedOrigins.includes(origin) || this.looseOriginMatch(origin)) && !this.faults['cors-blocks-allowed-origin']) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    } else {
      return false;
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-API-Key, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    return true;
  }

  /** The faults cors-null-origin and cors-loose-match: the allow-list checks real services get wrong. */
  private looseOriginMatch(origin: string): boolean {
    if (this.faults['cors-null-origin'] && origin === 'null') return true;
    // As `new RegExp(host).test(origin)` or `origin.includes(host)`: no anchors, no scheme.
    return Boolean(this.faults['cors-loose-match']) && this.opts.allowedOrigins.some((o) => origin.includes(new URL(o).host));
  }

  private async health(res: http.ServerResponse): Promise<void> {
    if (this.faults['health-minimal']) {
      const ok = await this.pool.query('SELECT 1 AS ok').then(() => true, () => false);
      return this.json(res, ok ? 200 : 503, { checks: { database: ok ? 'ok' : 'down' } });
    }
    // health-malformed: the shape a renamed component and a boolean status give (no checks.database, no string status).
    if (this.faults['health-malformed']) {
      const ok = await this.pool.query('SELECT 1 AS ok').then(() => true, () => false);
      return this.json(res, ok ? 200 : 503, { status: ok, version: this.opts.version, uptime: this.uptime(), checks: { postgres: ok ? 'ok' : 'down' } });
    }
    // health-error-output: a failed non-critical check whose output is the raw error (the draft's "output").
    if (this.faults['health-error-output']) {
      const output = 'Error: connect ECONNREFUSED 10.0.4.17:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    at RedisClient.connect (/srv/credlink-api/src/cache/redis.js:42:11)';
      return this.json(res, 200, { status: 'warn', version: this.opts.version, uptime: this.uptime(), timestamp: new Date().toISOString(), checks: { database: 'ok', cache: { status: 'fail', output } } });
    }
    // database-frozen: as the real service, /health does not ask the database and says what it says when healthy.
    if (this.faults['database-frozen']) {
      return this.json(res, 200, { status: 'ok', version: this.opts.version, uptime: this.uptime(), timestamp: new Date().toISOString(), checks: { database: 'ok' } });
    }
    const slow = this.faults['database-slow'];
    let database: 'ok' | 'down' | 'unknown' = 'ok';
    try {
      const sql = typeof slow === 'number' ? `SELECT pg_sleep(${slow / 1000}) AS slept, 1 AS ok` : 'SELECT 1 AS ok';
      await this.pool.query(sql);
    } catch {
      database = 'down';
    }
    // As the real service does: a constant instead of the result of the query.
    if (this.faults['health-database-unknown']) database = 'unknown';
    // health-status-down: the document says "down" while the HTTP status says 200.
    // health-status-unknown: a value the draft does not name (as /api/v1/status says "operational").
    const status = database === 'down' ? 'degraded' : this.faults['health-status-down'] ? 'down' : this.faults['health-status-unknown'] ? 'operational' : 'ok';
    this.json(res, database === 'down' ? 503 : 200, {
      status,
      version: this.opts.version,
      uptime: this.uptime(),
      timestamp: new Date().toISOString(),
      checks: { database },
    });
  }

  /** Who the request is: a full key, a restricted key (no sign permission), or nobody. */
  private authorized(req: http.IncomingMessage): 'full' | 'restricted' | 'none' {
    if (this.faults['auth-bypass']) return 'full';
    if (this.faults['valid-key-rejected']) return 'none';
    const given = this.givenKey(req);
    if (given === undefined || given.length === 0) return 'none';
    if (this.faults['auth-malformed-key-500'] && (given.length > 1024 || /[^\x20-\x7e]/.test(given))) {
      throw new Error('key normalisation failed');
    }
    const norm = (s: string) => (this.faults['auth-case-insensitive'] ? s.toLowerCase() : s);
    // derived-key-accepted: the loose matching real services get wrong (trim, startsWith).
    const loose = this.faults['derived-key-accepted'];
    const trimmed = loose ? given.replace(/^[\s\u00a0]+|[\s\u00a0]+$/g, '') : given;
    const g = Buffer.from(norm(trimmed));
    const match = (keys: Buffer[]) => keys.some((k) => {
      const kk = Buffer.from(norm(k.toString()));
      if (loose && g.length >= 8 && kk.subarray(0, g.length).equals(g)) return true;
      return kk.length === g.length && crypto.timingSafeEqual(kk, g);
    });
    if (match(this.keys)) return 'full';
    if (match(this.restricted)) return 'restricted';
    return 'none';
  }

  private givenKey(req: http.IncomingMessage): string | undefined {
    const headers = this.faults['auth-any-header'] ? ['x-api-key', 'api-key', 'x-auth-token'] : ['x-api-key'];
    for (const h of headers) {
      const v = req.headers[h];
      if (typeof v === 'string') return v;
    }
    const auth = req.headers.authorization;
    if (this.faults['bearer-accepted'] && typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
    return undefined;
  }

  /** A fixed-window count per key of `map`: true when this request goes over `max`. Sets Retry-After. */
  private overLimit(map: Map<string, { count: number; since: number }>, key: string, max: number, windowMs: number, res: http.ServerResponse): boolean {
    const now = Date.now();
    let entry = map.get(key);
    if (!entry || now - entry.since >= windowMs) map.set(key, (entry = { count: 0, since: now }));
    entry.count += 1;
    if (entry.count <= max) return false;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil((entry.since + windowMs - now) / 1000))));
    return true;
  }

  private async sign(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const client = req.socket.remoteAddress ?? 'unknown';
    if (typeof this.faults['protected-hang'] === 'number') await sleepUnlessClosed(this.faults['protected-hang'], res);
    if (this.faults['redirect-to-other-origin'] && this.opts.redirectTo) {
      req.resume();
      res.writeHead(307, { location: `${this.opts.redirectTo}${req.url ?? '/'}`, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'moved' }));
      return;
    }
    // As the real service's signing limiter: counted per client before anyone is authenticated.
    const limit = this.faults['limiter-before-auth'];
    if (typeof limit === 'number' && this.overLimit(this.limiterCounts, client, limit, this.limiterWindowMs, res)) {
      req.resume();
      return this.json(res, 429, { error: 'too_many_requests', message: 'Too many signing requests, please try again later.' });
    }
    // As express-rate-limit keyed on `req.header('x-api-key') ?? req.ip`: keyless requests share one count.
    const bucket = this.faults['keyless-bucket'];
    if (typeof bucket === 'number') {
      const apiKey = req.headers['x-api-key'];
      const counter = typeof apiKey === 'string' ? `key|${apiKey}` : `ip|${client}`;
      const over = this.overLimit(this.bucketCounts, counter, bucket, this.limiterWindowMs, res);
      const entry = this.bucketCounts.get(counter)!;
      res.setHeader('RateLimit-Limit', String(bucket));
      res.setHeader('RateLimit-Remaining', String(Math.max(0, bucket - entry.count)));
      res.setHeader('RateLimit-Reset', String(Math.max(1, Math.ceil((entry.since + this.limiterWindowMs - Date.now()) / 1000))));
      if (over) {
        req.resume();
        return this.json(res, 429, { error: 'too_many_requests', message: 'Too many signing requests, please try again later.' });
      }
      res.removeHeader('Retry-After');
    }
    // The body is read before authentication, as a JSON body parser in front of the routes does.
    const body = await readBody(req);
    if (body === null) return this.json(res, 413, { error: 'payload_too_large' });
    const type = String(req.headers['content-type'] ?? '');
    if (/^application\/json/i.test(type) && body.length) {
      try {
        JSON.parse(body.toString('utf8'));
      } catch (err) {
        if (this.faults['stack-traces']) {
          // What an error handler that forwards err.stack sends.
          const stack = `SyntaxError: ${(err as Error).message}\n    at JSON.parse (<anonymous>)\n    at parseBody (/srv/credlink-api/src/middleware/body.js:41:23)\n    at Layer.handle (/srv/credlink-api/node_modules/express/lib/router/layer.js:95:5)`;
          return this.json(res, 500, { error: 'internal_error', message: (err as Error).message, stack });
        }
        return this.json(res, 400, { error: 'invalid_json' });
      }
    }
    // database-frozen: the key lookup waits on the database (asked again after each query timeout)
    // until the client gives up, for a key in any place (the real service looks every one up).
    const presents = this.givenKey(req) !== undefined || req.headers.authorization !== undefined || /[?&](api_key|apiKey|key)=/.test(req.url ?? '');
    if (this.faults['database-frozen'] && presents) {
      while (this.faults['database-frozen'] && !res.destroyed && !req.socket.destroyed) {
        try {
          await this.pool.query('SELECT 1');
          break;
        } catch {
          /* timed out on the frozen database: ask again */
        }
      }
      if (res.destroyed || req.socket.destroyed) return;
    }
    const who = this.authorized(req);
    if (who === 'none') {
      const { max, windowMs } = this.opts.authFailLimit;
      // limiter-per-key: the count is per client and presented key, so a new key each time is never limited.
      const counter = this.faults['limiter-per-key'] ? `${client}|${this.givenKey(req) ?? ''}` : client;
      const limited = this.overLimit(this.authFailures, counter, max, windowMs, res);
      if (limited && !this.faults['auth-no-rate-limit']) {
        if (this.faults['rate-limit-no-retry-after']) res.removeHeader('Retry-After');
        return this.json(res, 429, { error: 'too_many_failed_attempts' });
      }
      res.removeHeader('Retry-After');
      const given = this.givenKey(req);
      if (this.faults['auth-echoes-key-encoded'] && given) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(encodedEchoes(given));
      }
      const message = this.faults['auth-echoes-key'] && given ? `invalid API key "${given}"` : 'a valid X-API-Key header is required';
      return this.json(res, 401, { error: 'unauthorized', message });
    }
    if (who === 'restricted' && !this.faults['permission-not-enforced']) {
      return this.json(res, 403, { error: 'forbidden', message: 'this key lacks the sign permission' });
    }
    let signed = body;
    if (this.faults['multipart-only']) {
      const image = imagePart(type, body);
      if (!image) return this.json(res, 400, { error: 'bad_request', message: 'No image file provided' });
      signed = image;
    }
    const signature = crypto.createHmac('sha256', this.hmacKey).update(signed).digest('base64url');
    this.json(res, 200, { algorithm: 'HMAC-SHA256', signature, bytes: signed.length });
  }

  private async admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) return this.json(res, 403, { error: 'loopback_only' });
    const token = Buffer.from(String(req.headers['x-admin-token'] ?? ''));
    const want = Buffer.from(this.opts.adminToken);
    if (token.length !== want.length || !crypto.timingSafeEqual(token, want)) return this.json(res, 401, { error: 'unauthorized' });
    if (url.pathname !== '/__admin/faults') return this.json(res, 404, { error: 'not_found' });
    if (req.method === 'GET') return this.json(res, 200, { faults: this.faults });
    if (req.method !== 'PUT') return this.json(res, 405, { error: 'method_not_allowed' });
    const body = await readBody(req);
    try {
      const parsed = JSON.parse(String(body ?? '{}')) as { faults?: ActiveFaults };
      await this.opts.onFaults?.(parsed.faults ?? {});
      return this.json(res, 200, { faults: this.faults });
    } catch (err) {
      return this.json(res, 400, { error: 'bad_request', message: (err as Error).message });
    }
  }

  /**
   * Connections per database and max_connections, under postgres_exporter's names, so the
   * runbook's DB-connections metric can be queried. Omitted (no series) when the database does
   * not answer within 1 s: a scrape must not hang on it.
   */
  private async databaseMetrics(): Promise<string[]> {
    try {
      const q = this.pool.query<{ datname: string; n: number; max: number }>(
        `SELECT datname, numbackends AS n, current_setting('max_connections')::int AS max FROM pg_stat_database WHERE datname IS NOT NULL`,
      );
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref());
      const { rows } = await Promise.race([q, timeout]);
      q.catch(() => {});
      return [
        '# TYPE pg_stat_database_numbackends gauge',
        ...rows.map((r) => `pg_stat_database_numbackends{datname="${r.datname}"} ${r.n}`),
        '# TYPE pg_settings_max_connections gauge',
        `pg_settings_max_connections ${rows[0]?.max ?? 0}`,
      ];
    } catch {
      return [];
    }
  }

  private processMetrics(): string[] {
    const m = process.memoryUsage();
    return [
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${m.rss}`,
      '# TYPE pg_pool_clients gauge',
      `pg_pool_clients{state="total"} ${this.pool.totalCount}`,
      `pg_pool_clients{state="idle"} ${this.pool.idleCount}`,
      `pg_pool_clients{state="waiting"} ${this.pool.waitingCount}`,
      // What a container exposes through cAdvisor, for the Prometheus ratio checks (issue 5).
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(process.cpuUsage().user + process.cpuUsage().system) / 1e6}`,
      '# TYPE credlink_memory_limit_bytes gauge',
      `credlink_memory_limit_bytes ${REFERENCE_MEMORY_LIMIT_BYTES}`,
      '# TYPE credlink_cpu_limit_cores gauge',
      'credlink_cpu_limit_cores 1',
      '# TYPE pg_pool_max_clients gauge',
      `pg_pool_max_clients ${this.pool.options.max ?? 10}`,
    ];
  }

  private uptime(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits `ms`, or less when the client goes away (a hung request must not outlive the target). */
function sleepUnlessClosed(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(t);
      res.off('close', done);
      resolve();
    }
  });
}

/**
 * The first file part of a multipart/form-data body whose bytes are a PNG or JPEG, or null.
 * Enough of RFC 7578 for the reference target: boundary from the content type, parts split on it.
 */
export function imagePart(contentType: string, body: Buffer): Buffer | null {
  const m = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) return null;
  const delimiter = Buffer.from(`--${m[1]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('latin1');
      const content = part.subarray(split + 4);
      if (/filename=/i.test(head) && looksLikeImage(content)) return content;
    }
    at = next;
  }
  return null;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The fault "auth-echoes-key-encoded": a 401 body quoting the rejected key in the forms a careless
 * service logs or echoes it (other letter case, hex, base64, base64 of a Basic credential,
 * URL-encoded), and raw so that one copy straddles each length a report may cut a body at
 * (500, 1000, 2000, 4000 characters): what "scrub, then cut" must survive.
 */
export function encodedEchoes(key: string): string {
  const forms = [
    `upper: ${key.toUpperCase()}`,
    `lower: ${key.toLowerCase()}`,
    `hex: ${Buffer.from(key).toString('hex')}`,
    `HEX: ${Buffer.from(key).toString('hex').toUpperCase()}`,
    `base64: ${Buffer.from(key).toString('base64')}`,
    `basic: ${Buffer.from(`probe:${key}`).toString('base64')}`,
    `url: ${encodeURIComponent(key)}`,
  ].join('\n');
  let body = `unauthorized: invalid API key\n${forms}\n`;
  for (const cut of [500, 1000, 2000, 4000]) {
    const start = cut - Math.floor(key.length / 2);
    body += `${'.'.repeat(Math.max(1, start - body.length))}${key}`;
  }
  return `${body}\nend\n`;
}

/**
 * The daemon serves the run folders it keeps, read-only: GET /runs/<env>/<run-id>/<file>
 * (`/runs/<env>/<run-id>/` = its index.html), so the status page can link each incident to the
 * report of the run that saw it. Path-safe: only scheduled environments, a run id of plain
 * characters, no "." or ".." segment, no encoded slash or NUL, and the real path (symlinks
 * resolved) must stay inside the run folder. GET and HEAD only. Run folders hold only scrubbed
 * output (src/secrets/run-dir.ts).
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RENDERED_FROM_REPORT } from '../secrets/run-dir.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.properties': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webm': 'video/webm',
  '.woff2': 'font/woff2',
};

/** Our own reports load nothing; Allure's generated report needs its own scripts and styles, from here only. */
const STRICT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const REPORT_APP_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; frame-ancestors 'none'";

const SEGMENT = /^[A-Za-z0-9_.@+-][A-Za-z0-9_.@+ -]*$/;

/** The file a /runs/ path names inside reportsDir, or a reason it names none. Pure but for fs reads. */
export function resolveRunFile(reportsDir: string, envs: ReadonlySet<string>, pathname: string): { file: string; runDir: string } | { status: number; reason: string } {
  const raw = pathname.replace(/^\/runs\/?/, '').split('/');
  let parts: string[];
  try {
    parts = raw.map((p) => decodeURIComponent(p));
  } catch {
    return { status: 400, reason: 'malformed path' };
  }
  const [env, runId, ...rest] = parts;
  if (!env || !envs.has(env)) return { status: 404, reason: `not a scheduled environment: ${env ?? ''}` };
  if (!runId || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(runId)) return { status: 404, reason: 'not a run id' };
  // The folder itself (trailing slash) is its index.html.
  const file = [...rest];
  if (file.length === 0) file.push('index.html');
  else if (file.at(-1) === '') file[file.length - 1] = 'index.html';
  for (const seg of file) {
    if (seg === '.' || seg === '..' || !SEGMENT.test(seg)) return { status: 404, reason: 'not a file of the run' };
  }
  const root = path.resolve(reportsDir, env, runId);
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.join(root, ...file));
  } catch {
    return { status: 404, reason: 'no such file in the run folder' };
  }
  if (!real.startsWith(realRoot + path.sep)) return { status: 404, reason: 'not a file of the run' };
  if (!fs.existsSync(path.join(realRoot, 'runbook.json'))) return { status: 404, reason: 'not a run folder' };
  if (!fs.statSync(real).isFile()) return { status: 404, reason: 'not a file' };
  return { file: real, runDir: realRoot };
}

/** A handler for DaemonServer.mount(): answers /runs/...; returns false for other paths. */
export function runFilesRoute(reportsDir: string, envs: Iterable<string>): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const known = new Set(envs);
  return async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== '/runs' && !pathname.startsWith('/runs/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return true;
    }
    // /runs/<env>/<run-id> -> /runs/<env>/<run-id>/, so the report's relative links resolve in its folder.
    if (/^\/runs\/[^/]+\/[^/]+$/.test(pathname)) {
      res.writeHead(301, { location: `${pathname}/`, 'content-type': 'text/plain; charset=utf-8' }).end('moved\n');
      return true;
    }
    const found = resolveRunFile(reportsDir, known, pathname);
    if ('status' in found) {
      res.writeHead(found.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${found.reason}\n`);
      return true;
    }
    const rel = path.relative(found.runDir, found.file);
    const type = TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    const ours = RENDERED_FROM_REPORT.has(rel);
    res.writeHead(200, {
      'content-type': type,
      'content-length': fs.statSync(found.file).size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(type.startsWith('text/html') || type === 'image/svg+xml' ? { 'content-security-policy': ours ? STRICT_CSP : REPORT_APP_CSP } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await pipeline(fs.createReadStream(found.file), res).catch(() => res.destroy());
    return true;
  };
}

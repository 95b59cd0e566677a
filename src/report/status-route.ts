/**
 * The status page as a route the `schedule` daemon mounts on its node:http server:
 *   GET /status       -> the HTML page (also GET / when mounted at the root)
 *   GET /status.json  -> the same state as JSON
 * Any other method: 405. `getState` is called per request; the daemon decides how it is built
 * (its own incident state, or statusFromReportsDir). Returns false when the path is not ours.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderStatusPage, type StatusPageOptions } from './status-page.ts';
import type { StatusPageState } from './status-model.ts';

export type StatusRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function statusPageRoute(getState: () => StatusPageState | Promise<StatusPageState>, opts: { root?: boolean; page?: StatusPageOptions } = {}): StatusRoute {
  return async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const html = pathname === '/status' || (opts.root === true && pathname === '/');
    const json = pathname === '/status.json';
    if (!html && !json) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return true;
    }
    try {
      const state = await getState();
      const body = json ? JSON.stringify(state, null, 2) : renderStatusPage(state, opts.page);
      res.writeHead(200, {
        'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`status unavailable: ${(e as Error).message.split('\n')[0]}\n`);
    }
    return true;
  };
}

/** One self-contained HTML page at `pathname` (GET/HEAD), with the same headers as the status page. */
export function htmlPageRoute(pathname: string, render: () => string | Promise<string>): StatusRoute {
  return async (req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== pathname) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return true;
    }
    try {
      const body = await render();
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${pathname} unavailable: ${(e as Error).message.split('\n')[0]}\n`);
    }
    return true;
  };
}

/**
 * From a request the environment describes (config/request-spec.ts) and, optionally, a key and
 * how to present it, to the request `send()` makes: headers, JSON or multipart body with the
 * generated image, the key in a header, Authorization or the query.
 */
import type { Presentation, RequestSpec } from '../../config/request-spec.ts';
import type { HttpRequest } from '../probes/http.ts';
import { probeImage } from './probe-image.ts';

export interface PresentedKey {
  value: string;
  as: Presentation;
}

/** Headers and query part that present `key` as `p`. */
export function presentKey(key: string, p: Presentation): { headers: Record<string, string>; query?: string } {
  switch (p.kind) {
    case 'header':
      return { headers: { [p.name.toLowerCase()]: key } };
    case 'bearer':
      return { headers: { authorization: `Bearer ${key}` } };
    case 'basic':
      // The key as the user name and an empty password: how most APIs read a key from Basic.
      return { headers: { authorization: `Basic ${Buffer.from(`${key}:`, 'utf8').toString('base64')}` } };
    case 'query':
      return { headers: {}, query: `${encodeURIComponent(p.name)}=${encodeURIComponent(key)}` };
  }
}

export interface BuildOptions {
  key?: PresentedKey;
  /** Headers added on top (e.g. a malformed key in another header). */
  headers?: Record<string, string>;
  /** Replaces the body with this raw text (sent as JSON content type): the error-disclosure check's malformed body. */
  rawJson?: string;
}

export function buildRequest(spec: RequestSpec, o: BuildOptions = {}): HttpRequest & { path: string } {
  if (spec.path === null) throw new Error('buildRequest: the request has no path (declared none); the check must skip first');
  const headers: Record<string, string> = { ...spec.headers };
  let query: string | undefined;
  if (o.key) {
    const k = presentKey(o.key.value, o.key.as);
    Object.assign(headers, k.headers);
    query = k.query;
  }
  Object.assign(headers, o.headers);
  const req: HttpRequest & { path: string } = {
    method: spec.method,
    path: query ? `${spec.path}${spec.path.includes('?') ? '&' : '?'}${query}` : spec.path,
    headers,
  };
  if (o.rawJson !== undefined) {
    headers['content-type'] = 'application/json';
    req.data = o.rawJson;
  } else if (spec.body.kind === 'json') {
    headers['content-type'] ??= 'application/json';
    req.data = spec.body.json;
  } else if (spec.body.kind === 'multipart') {
    req.multipart = { ...spec.body.fields };
    for (const f of spec.body.files) req.multipart[f.field] = probeImage(f.type);
  }
  return req;
}

/** "POST /sign (multipart: image=@png, title)": what was sent, for findings. Never a key. */
export function describeRequest(spec: RequestSpec): string {
  const body =
    spec.body.kind === 'json'
      ? ' (JSON body)'
      : spec.body.kind === 'multipart'
        ? ` (multipart: ${[...spec.body.files.map((f) => `${f.field}=@${f.type}`), ...Object.keys(spec.body.fields)].join(', ')})`
        : '';
  return `${spec.method} ${spec.path ?? '(none)'}${body}`;
}

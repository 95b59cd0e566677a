/**
 * The two keyed probes of the auth checks, sent once per run and shared: the valid-key probe
 * (one request with the probe key, judged by security.valid-key-accepted, request-contract,
 * key-not-echoed and no-redirect) and the restricted-key probe. Their answers are kept in the
 * run folder: Playwright restarts the worker after a failed check, and the next check must judge
 * the same answer instead of spending the key again. The folder is scrubbed of secrets after
 * the run like every other file in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runConfig } from '../../config/index.ts';
import type { RequestSpec } from '../../config/request-spec.ts';
import { answerSeen, callOf } from '../../src/http/answers.ts';
import { buildRequest } from '../../src/http/request-builder.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';

const cfg = runConfig();
const memo = new Map<string, Promise<HttpSample>>();

/** Answers of the probes, without Set-Cookie (nothing needs it); bodies are bounded by send(). */
function keep(s: HttpSample): HttpSample {
  const { 'set-cookie': _drop, ...headers } = s.headers;
  return { ...s, headers };
}

/**
 * A check that judges a probe another check sent saw that answer too: it goes to this check's
 * answers (src/http/answers.ts), so correlation knows what the check saw (a 503 of an outage).
 */
function seenAgain(s: HttpSample): HttpSample {
  const call = callOf(s.method, s.path);
  for (const a of s.attempts ?? [{ status: s.status }]) answerSeen(call, a.status);
  return s;
}

function once(name: string, spec: RequestSpec, key: string, api: Parameters<typeof send>[0]): Promise<HttpSample> {
  const file = cfg.runDir ? path.join(cfg.runDir, 'auth-probes', `${name}.json`) : undefined;
  let p = memo.get(name);
  if (p) return p.then(seenAgain);
  if (file && fs.existsSync(file)) p = Promise.resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as HttpSample).then(seenAgain);
  else {
    p = send(api, buildRequest(spec, { key: { value: key, as: cfg.security.keyIn[0]! } })).then((s) => {
      const kept = keep(s);
      if (file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(kept), { mode: 0o600 });
      }
      return kept;
    });
    // A request the budget could not send is not an answer: the next check may try again.
    p.catch(() => memo.delete(name));
  }
  memo.set(name, p);
  return p;
}

/** The one valid-key request of the run (CREDLINK_VALID_KEY_PROBE_*). */
export function validKeyProbe(api: Parameters<typeof send>[0]): Promise<HttpSample> {
  return once('valid-key', cfg.security.requests.validKey, cfg.apiKeys[0]!, api);
}

/** The one restricted-key request of the run (CREDLINK_RESTRICTED_KEY_PROBE_*). */
export function restrictedKeyProbe(api: Parameters<typeof send>[0]): Promise<HttpSample> {
  return once('restricted-key', cfg.security.requests.restrictedKey, cfg.security.restrictedApiKey!, api);
}

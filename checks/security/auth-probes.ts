/**
 * The requests of the auth checks that are sent once per run and shared: the valid-key probe
 * (one request with the probe key, judged by security.valid-key-accepted, request-contract,
 * key-not-echoed and no-redirect), the restricted-key probe, the keyless request (no-key,
 * and the baseline of key-strict and derived keys) and the wrong-key request (wrong-key and
 * key-not-echoed): every shared failed attempt leaves room under the failed-attempt limit. Their answers are kept in the
 * run folder: Playwright restarts the worker after a failed check, and the next check must judge
 * the same answer instead of spending the key again. The folder is scrubbed of secrets after
 * the run like every other file in it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runConfig } from '../../config/index.ts';
import type { RequestSpec } from '../../config/request-spec.ts';
import type { HttpRequest } from '../../src/probes/http.ts';
import { answerSeen, callOf } from '../../src/http/answers.ts';
import { buildRequest, presentKey } from '../../src/http/request-builder.ts';
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

function once(name: string, request: () => HttpRequest, api: Parameters<typeof send>[0]): Promise<HttpSample> {
  const file = cfg.runDir ? path.join(cfg.runDir, 'auth-probes', `${name}.json`) : undefined;
  let p = memo.get(name);
  if (p) return p.then(seenAgain);
  if (file && fs.existsSync(file)) p = Promise.resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as HttpSample).then(seenAgain);
  else {
    p = send(api, request()).then((s) => {
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
  return once('valid-key', () => buildRequest(cfg.security.requests.validKey, { key: { value: cfg.apiKeys[0]!, as: cfg.security.keyIn[0]! } }), api);
}

/** The one restricted-key request of the run (CREDLINK_RESTRICTED_KEY_PROBE_*). */
export function restrictedKeyProbe(api: Parameters<typeof send>[0]): Promise<HttpSample> {
  return once('restricted-key', () => buildRequest(cfg.security.requests.restrictedKey, { key: { value: cfg.security.restrictedApiKey!, as: cfg.security.keyIn[0]! } }), api);
}

/**
 * The one request of `spec` without any key in the run: the "no key" case of security.no-key-rejected
 * and the keyless baseline of key-strict and derived keys (one request when they describe the same call).
 * Each is a failed attempt the service counts: sending it once leaves room for the others.
 */
export function keylessProbe(api: Parameters<typeof send>[0], spec: RequestSpec): Promise<HttpSample> {
  const id = crypto.createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
  return once(`keyless-${id}`, () => buildRequest(spec, { headers: {} }), api);
}

/**
 * The run's wrong key: random, the same for every worker of the run (derived from the run id), so
 * security.wrong-key-rejected and security.key-not-echoed judge one answer: whether it is 401 and
 * whether it quotes the key. Never a secret (no deployment holds it).
 */
export const runWrongKey = cfg.runId
  ? `clk_${crypto.createHash('sha256').update(`${cfg.runId}:wrong-key`).digest().subarray(0, 24).toString('base64url')}`
  : `clk_${crypto.randomBytes(24).toString('base64url')}`;

/** The one request of the protected call with the run's wrong key in the declared place. */
export function wrongKeyProbe(api: Parameters<typeof send>[0]): Promise<HttpSample> {
  const prot = cfg.security.requests.protected;
  return once('wrong-key', () => buildRequest(prot, { headers: presentKey(runWrongKey, cfg.security.keyIn[0]!).headers }), api);
}

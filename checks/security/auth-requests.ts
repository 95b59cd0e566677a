/**
 * What the API-key checks (api-key-auth.spec.ts, wrong-key-guessing.spec.ts) send: the
 * environment's described requests (CREDLINK_PROTECTED_*, *_VALID_KEY_PROBE_*), with or without a
 * key in a given place, and the skips every one of them shares.
 */
import crypto from 'node:crypto';
import { test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import type { Presentation, RequestSpec } from '../../config/request-spec.ts';
import { buildRequest, describeRequest, presentKey } from '../../src/http/request-builder.ts';
import type { HttpSample } from '../../src/probes/http.ts';

export const cfg = runConfig();
export const { security: sec, apiKeys } = cfg;
export const { protected: prot, validKey: probeSpec, restrictedKey: restrictedSpec } = sec.requests;
/** How the checks present a key: the first declared place. */
export const primary = sec.keyIn[0]!;
export const call = `${prot.method} ${prot.path}`;
export const probeCall = describeRequest(probeSpec);
export const statusOf = (s: HttpSample) => s.status ?? s.error ?? 'no answer';

export const skipWithoutProtected = () => test.skip(prot.path === null, 'this deployment has no protected endpoint (CREDLINK_PROTECTED_PATH=none)');
export const skipWithoutProbe = () => {
  test.skip(apiKeys.length === 0, 'no API key configured (CREDLINK_API_KEYS)');
  test.skip(probeSpec.path === null, 'no valid-key probe on this deployment (CREDLINK_VALID_KEY_PROBE_PATH=none)');
};

/** A random key of the usual shape that no deployment holds. */
export const wrongKey = () => `clk_${crypto.randomBytes(24).toString('base64url')}`;
/** The protected call without a valid key: `headers` carry whatever the case presents. */
export const unkeyed = (headers: Record<string, string> = {}, spec: RequestSpec = prot) => buildRequest(spec, { headers });
export const withKey = (value: string, as: Presentation = primary, spec: RequestSpec = probeSpec) => buildRequest(spec, { key: { value, as } });
export const keyHeader = (k: string) => presentKey(k, primary).headers;

/**
 * Kubernetes API failures, classified so a check can say plainly what happened:
 * 403 -> the monitor lacks a permission (a monitoring gap), 404 -> the object is missing,
 * no connection / timeout -> the API is unreachable. Never throws.
 */

export type KubeFailureKind = 'forbidden' | 'not-found' | 'unreachable' | 'timeout' | 'config' | 'other';

export interface KubeFailure {
  kind: KubeFailureKind;
  /** HTTP status when the API answered. */
  code?: number;
  /** One line, e.g. `pods is forbidden: User "..." cannot list resource "pods" ...`. */
  line: string;
}

/** Thrown by KubeClient for kubeconfig problems and timeouts; carries the classification. */
export class KubeError extends Error {
  override name = 'KubeError';
  constructor(readonly failure: KubeFailure) {
    super(failure.line);
  }
}

function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.slice(0, 300) || undefined;
    }
  }
  if (b && typeof b === 'object' && 'message' in b && typeof b.message === 'string') return b.message;
  return undefined;
}

/**
 * @kubernetes/client-node's ApiException, recognised by shape (code, body, headers) so this
 * module does not load the client library.
 */
function isApiException(err: unknown): err is Error & { code: number; body: unknown; headers: unknown } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err && 'headers' in err;
}

export function classifyKubeError(err: unknown, what: string): KubeFailure {
  if (err instanceof KubeError) return err.failure;
  if (isApiException(err)) {
    const code = Number(err.code);
    const msg = statusMessage(err.body) ?? `HTTP ${code}`;
    if (code === 403) return { kind: 'forbidden', code, line: msg };
    if (code === 404) return { kind: 'not-found', code, line: `${what}: not found (${msg})` };
    return { kind: 'other', code, line: `${what}: HTTP ${code}: ${msg}` };
  }
  const e = err as { name?: string; type?: string; code?: string; message?: string; errno?: string } | undefined;
  if (e?.name === 'AbortError' || e?.type === 'aborted' || e?.name === 'TimeoutError') {
    return { kind: 'timeout', line: `${what}: no answer within the request timeout` };
  }
  const m = String(e?.message ?? err);
  const netCode = e?.code ?? e?.errno ?? /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/.exec(m)?.[1];
  if (netCode) return { kind: 'unreachable', line: `${what}: Kubernetes API unreachable (${netCode})` };
  return { kind: 'other', line: `${what}: ${m.split('\n')[0]!.slice(0, 300)}` };
}

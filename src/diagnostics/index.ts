/**
 * Automatic diagnostics: when a check fails, collect the read-only equivalents of its runbook
 * section's "Immediate Actions" and return them as evidence pieces, each naming the runbook
 * command it stands for. Bounded: every read has a timeout and the whole collection a
 * deadline. Never throws: a collector that fails contributes its error line instead.
 * Collected once per run and shared by every failing check (src/diagnostics/shared.ts).
 */
import { catalog, isCheckId } from '../../runbooks/catalog.ts';
import { classifyKubeError } from '../k8s/errors.ts';
import { collectors, errorLine, type DiagnosticsContext, type Piece } from './collectors.ts';
import { planFor, KUBE_COLLECTORS, type CollectorId } from './plan.ts';
import type { SharedCollections } from './shared.ts';

export type { Piece } from './collectors.ts';
export { SharedCollections } from './shared.ts';

export async function collectDiagnostics(checkId: string | undefined, ctx: DiagnosticsContext, deadlineMs: number, shared?: SharedCollections): Promise<Piece[]> {
  const entry = checkId && isCheckId(checkId) ? catalog[checkId] : { section: 'basic-service-health' as const };
  const ids = planFor(entry, { kube: Boolean(ctx.kube), db: Boolean(ctx.db) });
  const notCollected = (id: CollectorId, err: unknown): Piece[] => {
    const col = collectors[id];
    const line = KUBE_COLLECTORS.includes(id) ? classifyKubeError(err, col.command(ctx)).line : errorLine(err);
    return [{ name: `${id} (not collected)`, command: col.command(ctx), data: `could not collect: ${line}` }];
  };
  // One collector, bounded; its failure is a piece too (and shared as such).
  const one = async (id: CollectorId): Promise<Piece[]> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`diagnostics deadline of ${deadlineMs} ms passed`)), deadlineMs);
    });
    try {
      return await Promise.race([collectors[id].collect(ctx), deadline]);
    } catch (err) {
      return notCollected(id, err);
    } finally {
      clearTimeout(timer);
    }
  };
  const pieces = await Promise.all(ids.map((id) => (shared ? shared.get(id, () => one(id), deadlineMs).catch((err) => notCollected(id, err)) : one(id))));
  return pieces.flat();
}

/**
 * Automatic diagnostics: when a check fails, collect the read-only equivalents of its runbook
 * section's "Immediate Actions" and return them as evidence pieces, each naming the runbook
 * command it stands for. Bounded: every read has a timeout and the whole collection a
 * deadline. Never throws: a collector that fails contributes its error line instead.
 */
import { catalog, isCheckId } from '../../runbooks/catalog.ts';
import { classifyKubeError } from '../k8s/errors.ts';
import { collectors, errorLine, type DiagnosticsContext, type Piece } from './collectors.ts';
import { planFor, KUBE_COLLECTORS } from './plan.ts';

export type { Piece } from './collectors.ts';

export async function collectDiagnostics(checkId: string | undefined, ctx: DiagnosticsContext, deadlineMs: number): Promise<Piece[]> {
  const entry = checkId && isCheckId(checkId) ? catalog[checkId] : { section: 'basic-service-health' as const };
  const ids = planFor(entry, { kube: Boolean(ctx.kube), db: Boolean(ctx.db) });
  const pieces: Piece[][] = await Promise.all(
    ids.map(async (id) => {
      const col = collectors[id];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`diagnostics deadline of ${deadlineMs} ms passed`)), deadlineMs);
      });
      try {
        return await Promise.race([col.collect(ctx), deadline]);
      } catch (err) {
        const line = KUBE_COLLECTORS.includes(id) ? classifyKubeError(err, col.command(ctx)).line : errorLine(err);
        return [{ name: `${id} (not collected)`, command: col.command(ctx), data: `could not collect: ${line}` }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return pieces.flat();
}

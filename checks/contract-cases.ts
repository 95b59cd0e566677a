/**
 * A contract and the cases its standard or guide names, each with the checks that cover it and
 * the faults of the reference target that prove they catch it (or why no fault can), or the reason
 * no check covers it.
 * Plain data next to the checks (checks/<area>/<contract>.cases.ts); tests/unit/contract-cases.test.ts
 * fails on a case with neither, and docs/contracts.md is generated from it (src/docs/contracts-page.ts).
 */
import { isCheckId, type CheckId } from '../runbooks/catalog.ts';
import { isFaultName, type FaultName } from '../src/target/faults.ts';

export interface Standard {
  /** Short name used by the cases' `source`, e.g. "IETF health-check draft". */
  name: string;
  /** Absent for the user's own runbook. */
  url?: string;
}

interface CaseBase {
  /** The case in the standard's own terms. */
  case: string;
  /** Where the standard names it: "Fetch §3.2.5", "WSTG-CLNT-07". */
  source: string;
}
export interface CoveredCase extends CaseBase {
  checks: readonly CheckId[];
  /** Faults whose drill shows the checks catch the case (tests/integration/*-faults.test.ts, contract-cases.test.ts). */
  faults?: readonly FaultName[];
  /** Why no fault of the reference target proves the case's failing side (then `faults` is absent). */
  noFault?: string;
  /** How the checks judge it, when the check's title does not say. */
  note?: string;
}
export interface UncoveredCase extends CaseBase {
  /** Why no check covers it: what makes it unsafe, impossible or someone else's job. */
  notCovered: string;
}
export type ContractCase = CoveredCase | UncoveredCase;

export interface Contract {
  id: string;
  title: string;
  /** What the contract is, for the SRE reading docs/contracts.md. */
  summary: string;
  standards: readonly Standard[];
  cases: readonly ContractCase[];
}

export const isCovered = (c: ContractCase): c is CoveredCase => 'checks' in c;

/**
 * What is wrong with the contracts' cases: a case with neither a covering check nor a reason
 * (or both), a check id the catalog lacks or no spec declares (`declared`: ids found in
 * runbook('...') calls), a fault the reference target lacks, a covered case with neither a fault
 * proving its failing side nor a reason why none can (or both). Empty when all is well.
 */
export function caseProblems(contracts: readonly Contract[], declared: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const c of contracts) {
    if (!c.cases.length) problems.push(`${c.id} lists no case`);
    for (const k of c.cases as readonly Partial<CoveredCase & UncoveredCase>[]) {
      const where = `${c.id}: "${k.case}"`;
      const reason = typeof k.notCovered === 'string' && k.notCovered.trim().length > 0;
      if (!k.source?.trim()) problems.push(`${where} names no source`);
      if (k.checks === undefined) {
        if (!reason) problems.push(`${where} has neither a covering check nor a reason`);
        continue;
      }
      if (reason) problems.push(`${where} has both covering checks and a reason`);
      if (!k.checks.length) problems.push(`${where} lists no check`);
      for (const id of k.checks) {
        if (!isCheckId(id)) problems.push(`${where} names check ${id}, which is not in the catalog`);
        else if (!declared.has(id)) problems.push(`${where} names ${id}, which no check in checks/ declares`);
      }
      for (const f of k.faults ?? []) if (!isFaultName(f)) problems.push(`${where} names fault ${f}, which src/target/faults.ts does not have`);
      const noFault = typeof k.noFault === 'string' && k.noFault.trim().length > 0;
      if (!k.faults?.length && !noFault) problems.push(`${where} has no fault proving its failing side and no reason why none can (noFault)`);
      if (k.faults?.length && noFault) problems.push(`${where} has both faults and a reason for having none`);
    }
  }
  return problems;
}

/** Builds a runbook reporter input record for table tests: a passing check unless `over` says otherwise. */
import type { TestRecord } from '../../src/reporter/to-report.ts';

export function testRecord(id: string | undefined, over: Partial<TestRecord> = {}): TestRecord {
  return {
    title: `t ${id}`,
    annotations: id ? [{ type: 'runbook', description: id }] : [],
    status: 'passed',
    outcome: 'expected',
    retries: 0,
    durationMs: 1,
    errors: [],
    evidence: [],
    ...over,
  };
}

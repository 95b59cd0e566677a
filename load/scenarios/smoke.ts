/** Smoke: one virtual user, a few iterations. Proves the script, the target and the thresholds work. */
import type { Options } from 'k6/options';
import { probe, summaryFiles, thresholds } from '../lib/common.ts';

export const options: Options = {
  scenarios: { smoke: { executor: 'per-vu-iterations', vus: 1, iterations: 10, maxDuration: '1m' } },
  thresholds,
};

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'smoke');

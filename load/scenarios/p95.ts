/**
 * p95 under load: a constant arrival rate (open model), so a slow service cannot slow the load
 * down and hide its own latency. RATE iterations/s (each one request per probed path) for DURATION.
 */
import type { Options } from 'k6/options';
import { probe, summaryFiles, thresholds } from '../lib/common.ts';

const rate = Number(__ENV.RATE ?? '20');

export const options: Options = {
  scenarios: {
    p95: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '5m',
      preAllocatedVUs: Math.max(10, rate * 2),
      maxVUs: Math.max(50, rate * 10),
    },
  },
  thresholds,
};

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'p95');

/** Soak: a modest constant arrival rate for a long time (default 1 h): leaks and slow drifts show. */
import type { Options } from 'k6/options';
import { probe, summaryFiles, thresholds } from '../lib/common.ts';

const rate = Number(__ENV.RATE ?? '5');

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '1h',
      preAllocatedVUs: Math.max(10, rate * 2),
      maxVUs: Math.max(50, rate * 10),
    },
  },
  thresholds,
};

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'soak');

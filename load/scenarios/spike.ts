/**
 * Spike: the runbook's "Emergency Scaling" case. Arrival rate jumps from the base rate to
 * SPIKE_FACTOR times it and back; the thresholds say whether the service (and its autoscaler,
 * `kubectl get hpa`) absorbs it or a responder must scale by hand (`--replicas=10`).
 */
import type { Options } from 'k6/options';
import { probe, summaryFiles, thresholds } from '../lib/common.ts';

const base = Number(__ENV.RATE ?? '10');
const peak = base * Number(__ENV.SPIKE_FACTOR ?? '10');

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(20, peak),
      maxVUs: Math.max(100, peak * 5),
      stages: [
        { target: base, duration: '1m' },
        { target: peak, duration: '30s' },
        { target: peak, duration: '2m' },
        { target: base, duration: '30s' },
        { target: base, duration: '2m' },
      ],
    },
  },
  thresholds,
};

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'spike');

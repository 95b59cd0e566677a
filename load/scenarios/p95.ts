/**
 * p95 under load: a constant arrival rate (open model), so a slow service cannot slow the load
 * down and hide its own latency. RATE iterations/s (each one request per probed path) for DURATION.
 */
import type { Options } from 'k6/options';
import { constantArrivalOptions, probe, summaryFiles } from '../lib/common.ts';

export const options: Options = constantArrivalOptions('p95', { rate: 20, duration: '5m' });

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'p95');

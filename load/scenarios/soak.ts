/** Soak: a modest constant arrival rate for a long time (default 1 h): leaks and slow drifts show. */
import type { Options } from 'k6/options';
import { constantArrivalOptions, probe, summaryFiles } from '../lib/common.ts';

export const options: Options = constantArrivalOptions('soak', { rate: 5, duration: '1h' });

export default probe;
export const handleSummary = (data: object) => summaryFiles(data, 'soak');

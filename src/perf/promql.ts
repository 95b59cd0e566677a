/**
 * The runbook's key metrics ("Monitoring & Alerting") as PromQL, built from configured metric
 * and label names: the real service labels the status `status_code`, so the runbook's
 * `{status=~"5.."}` matches nothing there. Each threshold check first proves its series exist
 * (`presence`), so a wrong name is reported as "no data" instead of a reassuring 0.
 */
export interface PromNames {
  window: string;
  /** Extra label matchers, e.g. job="credlink-api" (may be empty). */
  selector: string;
  requestsMetric: string;
  statusLabel: string;
  durationMetric: string;
}

export interface KeyQuery {
  /** Must return at least one series, or the check reports no data. */
  presence: string;
  /** The value compared with the threshold (a ratio, or seconds for latency). */
  value: string;
}

const sel = (selector: string, ...more: string[]) => `{${[selector, ...more].filter((s) => s.trim()).join(',')}}`;

export function errorRateQuery(n: Pick<PromNames, 'window' | 'selector' | 'requestsMetric' | 'statusLabel'>): KeyQuery {
  const all = `sum(rate(${n.requestsMetric}${sel(n.selector)}[${n.window}]))`;
  const errors = `sum(rate(${n.requestsMetric}${sel(n.selector, `${n.statusLabel}=~"5.."`)}[${n.window}]))`;
  return {
    // Series that carry the status label at all: none means the label name is wrong.
    presence: `count(${n.requestsMetric}${sel(n.selector, `${n.statusLabel}!=""`)})`,
    // No 5xx series yet is a 0 error rate, not missing data (presence covers missing data).
    value: `(${errors} or vector(0)) / ${all}`,
  };
}

export function latencyP95Query(n: Pick<PromNames, 'window' | 'selector' | 'durationMetric'>): KeyQuery {
  const bucket = `${n.durationMetric}_bucket`;
  return {
    presence: `count(${bucket}${sel(n.selector)})`,
    value: `histogram_quantile(0.95, sum by (le) (rate(${bucket}${sel(n.selector)}[${n.window}])))`,
  };
}

/**
 * 5xx requests the service's own counter gained in the last `sinceS` seconds: the counters now
 * minus the same counters `sinceS` ago. Unlike increase(), a 5xx series created inside the window
 * counts with its whole value (increase() needs two samples and misses the first increments).
 */
export function serverErrorsSinceQuery(n: Pick<PromNames, 'selector' | 'requestsMetric' | 'statusLabel'>, sinceS: number): string {
  const m = `${n.requestsMetric}${sel(n.selector, `${n.statusLabel}=~"5.."`)}`;
  return `(sum(${m}) or vector(0)) - (sum(${m} offset ${Math.max(1, Math.ceil(sinceS))}s) or vector(0))`;
}

/** A configured ratio query (memory, CPU, DB connections): its own result proves presence. */
export function ratioQuery(expr: string): KeyQuery {
  return { presence: `count(${expr})`, value: expr };
}

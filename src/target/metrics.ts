/**
 * Prometheus metrics of the reference target, in the text exposition format:
 * http_requests_total{method,route,status} and the http_request_duration_seconds histogram.
 * Label names are configurable so a Prometheus test can reproduce the real service, which
 * labels the status as `status_code`.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10];

export class TargetMetrics {
  private readonly requests = new Map<string, number>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(private readonly statusLabel = 'status') {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",${this.statusLabel}="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hk = `method="${method}",route="${route}"`;
    let h = this.histograms.get(hk);
    if (!h) this.histograms.set(hk, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.buckets[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  render(extra: string[] = []): string {
    const out = ['# HELP http_requests_total HTTP requests by method, route and status.', '# TYPE http_requests_total counter'];
    for (const [k, v] of this.requests) out.push(`http_requests_total{${k}} ${v}`);
    out.push('# HELP http_request_duration_seconds HTTP request duration.', '# TYPE http_request_duration_seconds histogram');
    for (const [k, h] of this.histograms) {
      BUCKETS.forEach((le, i) => out.push(`http_request_duration_seconds_bucket{${k},le="${le}"} ${h.buckets[i]}`));
      out.push(`http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`http_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    return [...out, ...extra].join('\n') + '\n';
  }
}

/**
 * The continuous sampler of one environment: a round every `plan.intervalMs` (open model: a
 * round starts on time whether or not the previous one has answered, latency counted from the
 * scheduled start), each due endpoint asked once; a failure (5xx or no answer) is asked again
 * with today's confirmation rule (src/probes/confirm.ts: after 250 ms and 750 ms more) before it
 * counts as "down", unless the endpoint was already confirmed down (asking again tells nothing).
 * Re-asks have their own budget (plan.reaskPerMinute): past it, the next round's request to the
 * endpoint is the re-ask (two failures in a row confirm, one round later).
 * After each round the windows are pruned, judged (src/monitor/judge.ts), saved at most every
 * `saveEveryMs`, and handed to `onJudgement` (the daemon turns it into alert input).
 * When every sampled health endpoint is confirmed down, the failures leading to it are tagged as
 * the outage's (left out of the error rate: the outage is its own incident).
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { HttpClient } from '../http/client.ts';
import { oneLine } from '../probes/http.ts';
import { confirm, DEFAULT_BUDGET_MS, DEFAULT_SPACING_MS } from '../probes/confirm.ts';
import { MIN_SAMPLES_FOR_P95 } from '../stats/percentiles.ts';
import { judge, type Judgement } from './judge.ts';
import type { SampledEndpoint, SamplerPlan } from './plan.ts';
import type { WindowStore } from './store.ts';
import { addSample, factsOf, prune, type EndpointWindow, type WindowFacts, type WindowSample } from './window.ts';

export interface SamplerOptions {
  config: Readonly<ResolvedConfig>;
  plan: SamplerPlan;
  location: string;
  store?: WindowStore;
  /** Epoch ms. */
  clock?: () => number;
  onJudgement?: (j: Judgement) => void | Promise<void>;
  /** The windows are written at most this often (and at stop). */
  saveEveryMs?: number;
  /** Rounds allowed in flight at once (a hanging target): beyond, a round is skipped and counted. */
  maxRoundsInFlight?: number;
  log?: (line: string) => void;
}

type Window = EndpointWindow & { checkId: string | null };
const failed = (s: Pick<WindowSample, 'status'>) => s.status === null || s.status >= 500;

export class Sampler {
  readonly windows: Window[];
  private readonly client: HttpClient;
  private readonly clock: () => number;
  private roundNo = 0;
  private inFlight = new Set<Promise<Judgement>>();
  private reasks: number[] = [];
  private lastSave = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private last: Judgement | null = null;
  /** Times the service was confirmed down (to: null while it is): failed samples in them are the outage's. */
  private spans: { from: number; to: number | null }[] = [];
  /** Rounds sent, skipped (too many in flight), requests sent (re-asks included). */
  readonly counts = { rounds: 0, skipped: 0, requests: 0, reasks: 0 };

  constructor(private readonly o: SamplerOptions) {
    this.clock = o.clock ?? Date.now;
    this.client = new HttpClient({ baseUrl: o.config.baseUrl, timeoutMs: o.config.timeouts.requestMs });
    const loaded = o.store?.load(o.config.baseUrl, this.clock(), o.plan.windowMs) ?? [];
    this.windows = o.plan.endpoints.map((e) => {
      const prior = loaded.find((w) => w.name === e.name && w.location === o.location);
      return { name: e.name, location: o.location, checkId: e.checkId, samples: prior?.samples ?? [] };
    });
    const kept = this.windows.reduce((n, w) => n + w.samples.length, 0);
    if (kept) o.log?.(`${o.config.env}: window restored from ${o.store?.file}: ${kept} sample(s) of the last ${Math.round(o.plan.windowMs / 1000)} s`);
  }

  latest(): Judgement | null {
    return this.last;
  }

  facts(): WindowFacts[] {
    const now = this.clock();
    return this.windows.map((w) => factsOf(w, now));
  }

  /** The judgement of the windows as they are now (no request sent). */
  judgeNow(): Judgement {
    const now = this.clock();
    for (const w of this.windows) prune(w, now, this.o.plan.windowMs);
    return judge({
      windows: this.windows,
      now,
      windowMs: this.o.plan.windowMs,
      freshMs: Math.max(3 * this.o.plan.intervalMs * Math.max(...this.o.plan.endpoints.map((e) => e.every)), 10_000),
      limits: { responseTimeMs: this.o.config.thresholds.responseTimeMs, errorRate: this.o.config.thresholds.errorRate },
      decideEarly: this.o.plan.perWindow >= MIN_SAMPLES_FOR_P95,
    });
  }

  /** One round: ask every due endpoint, confirm failures, judge, save, report. */
  async round(): Promise<Judgement> {
    const n = this.roundNo++;
    const scheduledAt = this.clock();
    const t0 = performance.now();
    const due = this.o.plan.endpoints.map((e, i) => ({ e, w: this.windows[i]! })).filter(({ e }) => n % e.every === 0);
    this.counts.rounds += 1;
    const samples = await Promise.all(due.map(({ e, w }) => this.sample(e, w, scheduledAt, t0)));
    due.forEach(({ w }, i) => addSample(w, samples[i]!));
    let j = this.judgeNow();
    if (j.outage && !this.last?.outage) {
      // The failures that led to the outage are its evidence too, not an error rate of their own.
      const starts = this.windows.map((w) => {
        let k = w.samples.length;
        while (k > 0 && failed(w.samples[k - 1]!)) k -= 1;
        return w.samples[k]?.t ?? Infinity;
      });
      this.spans.push({ from: Math.min(...starts), to: null });
    } else if (!j.outage && this.last?.outage) {
      // Requests in flight when it ended (rounds overlap while failures are asked again) belong to it too.
      const open = this.spans.at(-1);
      if (open) open.to = this.clock();
    }
    if (this.tagOutageSamples()) j = this.judgeNow();
    this.last = j;
    this.maybeSave(false);
    await this.o.onJudgement?.(j);
    return j;
  }

  /** Tags failed samples inside an outage span; forgets spans older than the window. True when a sample changed. */
  private tagOutageSamples(): boolean {
    const now = this.clock();
    this.spans = this.spans.filter((x) => x.to === null || now - x.to < this.o.plan.windowMs);
    let changed = false;
    for (const w of this.windows) {
      for (const smp of w.samples) {
        if (smp.outage || !failed(smp)) continue;
        if (this.spans.some((x) => smp.t >= x.from && (x.to === null || smp.t <= x.to))) {
          smp.outage = true;
          changed = true;
        }
      }
    }
    return changed;
  }

  private async sample(e: SampledEndpoint, w: Window, t: number, t0: number): Promise<WindowSample> {
    const first = await this.once(e, t, t0);
    if (!failed(first)) return first;
    const prev = w.samples.at(-1);
    // Known down, or the previous round's request failed too: asked again (one round later), failed again.
    if (prev && failed(prev) && (prev.confirmed || t - prev.t <= 2.5 * this.o.plan.intervalMs * e.every)) return { ...first, confirmed: true };
    const again = async () => {
      const now = this.clock();
      this.reasks = this.reasks.filter((x) => now - x < 60_000);
      if (this.reasks.length >= this.o.plan.reaskPerMinute || this.stopped) return undefined;
      this.reasks.push(now);
      this.counts.reasks += 1;
      return this.once(e, now, performance.now());
    };
    const c = await confirm({ ...first }, again, failed, { spacingMs: DEFAULT_SPACING_MS, budgetMs: DEFAULT_BUDGET_MS });
    return { ...first, confirmed: c.attempts.length > 1 && failed(c.final) };
  }

  private async once(e: SampledEndpoint, t: number, t0: number): Promise<WindowSample> {
    this.counts.requests += 1;
    try {
      const res = await this.client.fetch(e.request.path, {
        method: e.request.method ?? 'GET',
        headers: e.request.headers,
        data: e.request.data,
        multipart: e.request.multipart,
        maxRedirects: 0,
      });
      await res.body();
      return { t, ms: Math.round((performance.now() - t0) * 10) / 10, status: res.status() };
    } catch (err) {
      return { t, ms: Math.round((performance.now() - t0) * 10) / 10, status: null, error: oneLine(err) };
    }
  }

  private maybeSave(force: boolean): void {
    const now = this.clock();
    if (!this.o.store || (!force && now - this.lastSave < (this.o.saveEveryMs ?? 10_000))) return;
    this.lastSave = now;
    this.o.store.save({ baseUrl: this.o.config.baseUrl, windowMs: this.o.plan.windowMs, intervalMs: this.o.plan.intervalMs, savedAt: now, windows: this.windows });
  }

  /** Rounds on a fixed schedule until stop(). */
  start(): void {
    let next = performance.now();
    const tick = () => {
      if (this.stopped) return;
      if (this.inFlight.size >= (this.o.maxRoundsInFlight ?? 3)) {
        this.counts.skipped += 1;
      } else {
        const p = this.round().catch((e) => {
          this.o.log?.(`${this.o.config.env}: sampler round failed: ${(e as Error).message.split('\n')[0]}`);
          return this.last!;
        });
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
      next += this.o.plan.intervalMs;
      this.timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  /** No new rounds; rounds in flight end (bounded by the request timeout and re-asks); the windows are saved. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    this.maybeSave(true);
    this.client.dispose?.();
  }
}

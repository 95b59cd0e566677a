/**
 * The daemon's side of the continuous monitor (src/monitor/): one sampler per remote environment
 * whose `window` is enabled, planned against its declared rate limit at start (a plan that
 * cannot fit refuses the start: ConfigError, exit 2, one line naming the environment and the
 * limit). Every round's judgement becomes alert input through the same AlertMonitor as the
 * scheduled runs (src/monitor/report.ts): flap control counts window evaluations, an outage is the
 * `outage` incident, pages go out at once (a flush per transition).
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { DEFAULT_LOCATION } from '../../config/location.ts';
import type { AlertMonitor } from '../alerting/monitor.ts';
import { ConfigError } from '../errors.ts';
import { windowLabel, type Judgement } from '../monitor/judge.ts';
import { Cron } from 'croner';
import { formatRate } from '../../config/request-spec.ts';
import { cadencesFor, planBudget, selectedBy, type BudgetPlan, type CheckCadence } from '../monitor/cadence.ts';
import { describeSamplerPlan, planSampler, type SamplerPlan } from '../monitor/plan.ts';
import { windowReport } from '../monitor/report.ts';
import { Sampler } from '../monitor/sampler.ts';
import { WindowStore } from '../monitor/store.ts';
import type { WindowFacts } from '../monitor/window.ts';
import type { StateHealth } from '../state/health.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { cronOptions, type ScheduleConfig, type ScheduleEnv } from './config.ts';

export interface WindowSnapshot {
  env: string;
  location: string;
  windowSeconds: number;
  intervalSeconds: number;
  plan: string;
  endpoints: (WindowFacts & { judged: number; errors: number; errorRate: number | null; down: boolean })[];
  /** The latest judgement, null before the first round. */
  judgement: { at: string; label: string; outage: boolean; latency: string; errorRate: string } | null;
  counts: Sampler['counts'];
}

export interface EnvSampler {
  sampler: Sampler;
  plan: SamplerPlan;
  snapshot(): WindowSnapshot;
  /** The latest window evaluation as a report (its incidents), or null before the first. */
  report(): RunbookReport | null;
}

const verdictText = (v: Judgement['latency']) => ('reason' in v ? `${v.status}: ${v.reason}` : 'scope' in v ? `${v.status}: ${Math.round(v.value * 1000) / 1000} on ${v.scope} > ${v.limit}` : `ok: ${Math.round(v.value * 1000) / 1000}`);

/** What the continuous monitor of one environment will do: its sampler (or none), its cadences and its budget. */
export interface ContinuousPlan {
  env: string;
  config: Readonly<ResolvedConfig>;
  sampler: SamplerPlan | null;
  cadences: CheckCadence[] | null;
  budget: BudgetPlan;
}

/** The longest gap between two full-suite runs of an environment, s (null: no full-suite schedule). */
function fullSuiteSeconds(e: ScheduleEnv): number | null {
  if (e.intervalSeconds !== undefined) return e.intervalSeconds;
  if (e.cron === undefined) return null;
  const job = new Cron(e.cron, { ...cronOptions(e), paused: true });
  const [a, b] = job.nextRuns(2);
  job.stop();
  return a && b ? Math.round((b.getTime() - a.getTime()) / 1000) : null;
}

/**
 * Plans every environment at once: the sampler of each remote one whose window is enabled, the
 * cadences (unless `"cadence": false`), the budget across both. Every problem at once: ConfigError (exit 2).
 */
export function planContinuous(o: { config: ScheduleConfig; configs: ReadonlyMap<string, Readonly<ResolvedConfig>>; log: (line: string) => void }): ContinuousPlan[] {
  const out: ContinuousPlan[] = [];
  const problems: string[] = [];
  for (const e of o.config.environments) {
    const c = o.configs.get(e.env);
    if (!c) continue;
    let sampler: SamplerPlan | null = null;
    if (e.window?.enabled !== false && c.target === 'remote') {
      const p = planSampler(c, { windowSeconds: e.window?.seconds, intervalSeconds: e.window?.sampleIntervalSeconds });
      if ('problem' in p) problems.push(p.problem);
      else sampler = p;
    } else if (e.window?.enabled !== false) {
      o.log(`${e.env}: no continuous sampler: the embedded target lives only during a run (p95 and error rate judged by the runs)`);
    }
    // Due-check runs by default where the monitor is continuous (a remote target); an embedded target
    // starts with every run, so there only when the environment asks for them ("cadence": {...}).
    const cadences = e.cadence === false || (c.target !== 'remote' && e.cadence === undefined) ? null : cadencesFor(c, { sampler: sampler !== null, overrides: e.cadence }).filter((x) => selectedBy(e.grep, x.checkId));
    const budget = planBudget(c, cadences ?? [], sampler, fullSuiteSeconds(e));
    if (budget.problem) problems.push(budget.problem);
    out.push({ env: e.env, config: c, sampler, cadences, budget });
  }
  if (problems.length) throw new ConfigError(problems);
  for (const p of out) {
    if (p.sampler) o.log(describeSamplerPlan(p.env, p.sampler));
    for (const line of p.budget.lines) o.log(line);
    if (p.budget.runLimit) o.log(`${p.env}: scheduled runs plan within ${formatRate(p.budget.runLimit)} (what the sampler leaves of the declared limit)`);
  }
  return out;
}

/** The configurations the scheduled runs use: each environment's declared limit reduced by its sampler's share. */
export function runConfigsOf(configs: ReadonlyMap<string, Readonly<ResolvedConfig>>, plans: readonly ContinuousPlan[], stateDir?: string): Map<string, Readonly<ResolvedConfig>> {
  const out = new Map(configs);
  for (const p of plans) {
    const c = configs.get(p.env);
    if (!c) continue;
    out.set(
      p.env,
      Object.freeze({
        ...c,
        ...(p.budget.runLimit ? { rateLimits: { ...c.rateLimits, client: p.budget.runLimit } } : {}),
        // Full-suite runs judge p95 and error rate on the window instead of probing on top of the sampler.
        ...(p.sampler && stateDir ? { monitorWindow: { stateDir } } : {}),
      }),
    );
  }
  return out;
}

export function startSamplers(o: {
  config: ScheduleConfig;
  plans: readonly ContinuousPlan[];
  monitor: AlertMonitor;
  health: StateHealth;
  log: (line: string) => void;
}): Map<string, EnvSampler> {
  const location = o.config.location ?? DEFAULT_LOCATION;
  const out = new Map<string, EnvSampler>();
  for (const { env, config: c, sampler: plan } of o.plans) {
    if (!plan) continue;
    let latestReport: RunbookReport | null = null;
    const onJudgement = (j: Judgement) => {
      const report = windowReport(j, c, location);
      latestReport = report;
      // Nothing decided and no endpoint fresh: no observation (a window filling up is not "no evidence").
      if (report.verdict.status === 'no-evidence') return;
      const observed = o.monitor.observe(env, report, { partial: true });
      if (observed.transitions.length) {
        o.log(`${env}: window (${windowLabel(j.windowMs, j.n)}): ${observed.transitions.map((t) => `${t.action.kind}${'severity' in t.action ? ` ${t.action.severity}` : ''} ${t.incidentId}`).join(', ')}`);
      }
      if (o.monitor.outbox().some((i) => i.state === 'queued')) void o.monitor.flush().catch((e) => o.log(`${env}: alert delivery failed: ${(e as Error).message}`));
    };
    const sampler = new Sampler({ config: c, plan, location, store: new WindowStore(o.config.stateDir, env, o.health, o.log), onJudgement, log: o.log });
    out.set(env, {
      sampler,
      plan,
      report: () => latestReport,
      snapshot(): WindowSnapshot {
        const j = sampler.latest();
        const facts = sampler.facts();
        return {
          env,
          location,
          windowSeconds: plan.windowMs / 1000,
          intervalSeconds: plan.intervalMs / 1000,
          plan: describeSamplerPlan(env, plan),
          endpoints: facts.map((f) => {
            const je = j?.endpoints.find((x) => x.name === f.name);
            return { ...f, judged: je?.n ?? 0, errors: je?.errors ?? 0, errorRate: je && je.n ? je.errors / je.n : null, down: je?.down ?? false };
          }),
          judgement: j ? { at: new Date(j.at).toISOString(), label: windowLabel(j.windowMs, j.n), outage: j.outage, latency: verdictText(j.latency), errorRate: verdictText(j.errorRate) } : null,
          counts: { ...sampler.counts },
        };
      },
    });
  }
  return out;
}

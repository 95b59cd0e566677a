/**
 * The runbook's "2. Blue-Green Deployment" procedure as a decision. GO only when:
 * 1. green passes the suite with nothing at or above SEV-2;
 * 2. green vs blue latency, its tail and error rate, measured at the same moment, judged with a
 *    stated test each and graded by the runbook's bands (compare.ts, judge.ts);
 * 3. the status endpoint has parity (versions may differ);
 * 4. with afterSwitch: the production Service selector names green, and the public URL's health
 *    endpoint answers 200.
 * Embedded colours (the local rehearsal) are started here, each with its own faults.
 *
 * When the comparison measures (`comparisonOrder`):
 * - beside the suite, for remote colours: most of the suite's time is waiting (the failed-attempt
 *   check waits out a limiter window), so the comparison starts once the suite's own latency probe
 *   has its samples (the probe must not measure the comparison's load on green). Both colours are
 *   measured together, so whatever else loads the network loads both;
 * - before the suite, when a colour is embedded (a rehearsal): the targets then share this
 *   machine's CPU with the suite's runner, and measured beside it they measure the machine (on
 *   two busy cores the health path's median went from 2 ms to 1 s);
 * - before the suite too when the suite has nothing to wait for (a monitor's window stands in for
 *   its probe and no limiter window is planned): it is then a few seconds of Playwright starting
 *   and checking, the CPU-heavy part of a run, beside which the comparison measured this machine's
 *   scheduling (the tail of the health path moved by tens of percent, and half the cutovers needed
 *   a second batch, 10 s more); first, the comparison measures a quiet machine and the suite follows;
 * - after the suite, when a colour declares a rate limit per client or on a compared path: the
 *   suite plans its traffic to use that allowance (src/budget/plan.ts), so the comparison is its
 *   own spend, after it.
 * When a monitor of green gives the suite its window (green-monitor.ts), the suite sends no probe
 * and the comparison starts with the suite. An inconclusive comparison with nothing significantly
 * worse measures more batches, pooled (sequential.ts). Nothing waits silently: a wait for the
 * comparison after the suite says how long it still measures.
 */
import { secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { demandOf, planRun } from '../budget/run-plan.ts';
import { selectedBy } from '../monitor/cadence.ts';
import { atLeast } from '../../runbooks/severity.ts';
import { runbookLink, type RunbookLinks } from '../runbook-md/link.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { startEmbedded, type EmbeddedStack } from '../run/embedded.ts';
import { InterruptedError } from '../errors.ts';
import { stopRequestOf } from '../process/shutdown.ts';
import { runPlaywright, throwIfStopped } from '../run/execute.ts';
import { probeSettings } from '../perf/probe-run.ts';
import { prepareDir } from '../run/reports-dir.ts';
import { assertSelects } from '../run/select.ts';
import { Scrubber } from '../secrets/scrub.ts';
import type { ActiveFaults } from '../target/faults.ts';
import { compareLatency, compareStatus, type Reason, type StatusAnswer } from './compare.ts';
import { greenMonitor, readStartedAt } from './green-monitor.ts';
import { DEFAULT_JUDGE } from './judge.ts';
import { measurePair, poolPairs, type EndpointPair } from './measure.ts';
import { lookOptions, worthExtending } from './sequential.ts';
import { describePlan, planComparison, type ComparisonPlan } from './plan.ts';
import { readServiceColour, type ServiceRead } from './service.ts';

export interface CutoverOptions {
  blue: Readonly<ResolvedConfig>;
  green: Readonly<ResolvedConfig>;
  /** Holds the production Service (KUBE_*) and the public URL; default: blue. */
  production?: Readonly<ResolvedConfig>;
  afterSwitch: boolean;
  colours: { blue: string; green: string };
  faults: { blue?: ActiveFaults; green?: ActiveFaults };
  reportsDir: string;
  grep?: string;
  /** `batches`: at most this many batches when the first is inconclusive (sequential.ts; default 3). */
  measure: { paths?: string[]; rate: number; samples: number; floorMs: number; batches?: number };
  log: (line: string) => void;
  /** SIGINT/SIGTERM (src/process/shutdown.ts): stop, clean up, no decision (exit 130). */
  signal?: AbortSignal;
}

export interface CutoverVerdict {
  decision: 'GO' | 'NO-GO';
  blue: string;
  green: string;
  afterSwitch: boolean;
  /** Reasons at SEV-2 or worse: each one blocks. */
  blocking: Reason[];
  /** Everything else that was checked, for the record. */
  passed: Reason[];
  rollback: string;
  /** Production is the embedded reference target (a rehearsal): its simulated Service is never switched. */
  rehearsal: boolean;
  /** --after-switch found the production Service still selecting blue: the switch did not happen. */
  notSwitched?: { service: string; selector: string };
  greenReport: { runDir: string; verdict: RunbookReport['verdict'] } | null;
  /** The measurements (summaries, counts), without the raw latencies. */
  latency: EndpointPair[];
  /** What the comparison planned to spend; `measured`: batches it did measure. */
  plan?: ComparisonPlan & { measured?: number };
  /** Checks of green's suite skipped because a monitor of green passed them since green started. */
  reused?: { checkId: string; reason: string }[];
  /** Where the runbook section links (src/runbook-md/link.ts). */
  links?: RunbookLinks;
}

async function getJson(url: string, timeoutMs: number): Promise<StatusAnswer> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: compared as text */
    }
    return { status: res.status, body };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { status: null, body: null, error: err.cause?.code ?? err.message };
  }
}

export function rollbackCommand(production: Readonly<ResolvedConfig>, blueColour: string): string {
  // Never the runbook's production namespace by default: a visible placeholder when unknown.
  const ns = production.kube?.namespace ?? `<namespace of ${production.env}>`;
  const patch = JSON.stringify({ spec: { selector: { [production.kubeService.colorLabel]: blueColour } } });
  return `kubectl patch service ${production.kubeService.name} -n ${ns} -p '${patch}'`;
}

/**
 * --after-switch: does the production Service select green? On the embedded target (a rehearsal)
 * nobody runs `kubectl patch` against the simulator, so a selector still on blue is expected, and
 * the reason says so instead of reading like a failed switch.
 */
export function selectorReason(read: ServiceRead, green: string, rehearsal: boolean): Reason {
  if (!read.ok) return { part: 'selector', severity: 'SEV-1', text: `cannot read the Service selector: ${read.error}` };
  const v = read.value;
  if (v.colour === green) return { part: 'selector', severity: 'SEV-3', text: `Service ${v.namespace}/${v.service} selects ${v.label}=${green}` };
  const now = v.colour ?? 'no colour';
  const why = rehearsal
    ? `: expected in a rehearsal: production here is the embedded reference target, whose Kubernetes simulator runs ${now} and which no kubectl patch reaches; against a real cluster this means traffic still goes to ${now}`
    : `: traffic still goes to ${now}`;
  return { part: 'selector', severity: 'SEV-1', text: `Service ${v.namespace}/${v.service} selects ${v.label}=${v.colour ?? '(unset)'}, not ${green}${why}` };
}

export type ComparisonOrder = 'before' | 'beside' | 'after';

/** Why the comparison measures when it does, as said at the start. */
export type OrderWhy = 'embedded' | 'quick-suite' | 'suite-waits' | 'limits';

const ORDER_WORDS: Record<OrderWhy, string> = {
  embedded: 'before the suite runs on green (an embedded colour shares this machine with the suite)',
  'quick-suite': "before the suite runs on green (the monitor's window stands in for its probe and it waits for no limiter window: a few seconds of Playwright starting, which would load this machine while it measures)",
  'suite-waits': 'while the suite runs on green, once its latency probe is done',
  limits: 'after the suite runs on green (a colour declares rate limits: the suite may use their allowance)',
};

/** How long into the suite the comparison starts, when it waits for the suite's probe. */
function probeWait(green: Readonly<ResolvedConfig>, grep: string | undefined): string {
  if (grep) return '';
  if (green.monitorWindow) return " (at once: the monitor's window stands in for the probe)";
  const p = probeSettings(green);
  return p.paths.length && p.samples ? ` (about ${Math.ceil(p.samples / p.rate)} s in)` : '';
}

/**
 * When the comparison measures relative to the suite on green (see the module comment), and why.
 * `suite.quick`: green's suite sends no probe (a monitor's window) and plans no wait for a
 * limiter window (src/budget/run-plan.ts).
 */
export function comparisonOrder(blue: Readonly<ResolvedConfig>, green: Readonly<ResolvedConfig>, paths: string[], suite: { quick: boolean } = { quick: false }): { order: ComparisonOrder; why: OrderWhy } {
  if ([blue, green].some((c) => c.rateLimits.client || c.rateLimits.paths.some((l) => paths.includes(l.path)))) return { order: 'after', why: 'limits' };
  if ([blue, green].some((c) => c.target === 'embedded')) return { order: 'before', why: 'embedded' };
  if (suite.quick) return { order: 'before', why: 'quick-suite' };
  return { order: 'beside', why: 'suite-waits' };
}

/** Does green's suite have nothing to wait for: no probe (a monitor's window), no limiter window planned? */
function quickSuite(green: Readonly<ResolvedConfig>, grep: string | undefined): boolean {
  if (!green.monitorWindow) return false;
  const reused = new Set((green.reuse ?? []).map((r) => r.checkId));
  const selected = (id: string) => !reused.has(id) && (id in catalog ? selectedBy(grep, id as CheckId) : true);
  return planRun(green, demandOf(green, selected)).windows === 0;
}

export async function runCutover(o: CutoverOptions): Promise<CutoverVerdict> {
  assertSelects(o.grep, o.green);
  prepareDir(o.reportsDir);
  const stopped = () => throwIfStopped(o.signal, o.green.env, 'before the decision');
  stopped();
  const stacks: EmbeddedStack[] = [];
  try {
    let blue = o.blue;
    let green = o.green;
    if (blue.target === 'embedded') {
      o.log('starting the blue reference target...');
      const s = await startEmbedded({ ...blue, env: 'blue' }, { faults: o.faults.blue });
      stacks.push(s);
      blue = { ...s.config, env: o.blue.env };
      stopped();
    }
    if (green.target === 'embedded') {
      o.log(`starting the green reference target${o.faults.green && Object.keys(o.faults.green).length ? ' with faults' : ''}...`);
      const s = await startEmbedded({ ...green, env: 'green' }, { faults: o.faults.green });
      stacks.push(s);
      green = { ...s.config, env: o.green.env };
      stopped();
    }
    // A monitor of green: its window and its still-valid passes of this build (green-monitor.ts).
    let reused: { checkId: string; reason: string }[] = [];
    if (green.monitorWindow) {
      const m = greenMonitor(green, { afterSwitch: o.afterSwitch, startedAt: await readStartedAt(green) });
      for (const l of m.lines) o.log(l);
      green = m.config;
      reused = m.reused;
      stopped();
    }
    const production = o.production ?? blue;
    const rehearsal = (o.production ?? o.blue).target === 'embedded';
    const extraSecrets = stacks.flatMap((s) => s.secrets);
    const scrub = new Scrubber([...secretsOf(blue), ...secretsOf(green), ...secretsOf(production), ...extraSecrets]);
    const reasons: Reason[] = [];
    let notSwitched: CutoverVerdict['notSwitched'];

    // What the comparison will spend, said before anything is spent.
    // The health path, or the first probed path when this deployment has none (CREDLINK_HEALTH_PATH=none).
    const paths = o.measure.paths ?? [green.paths.health ?? green.probe?.paths[0] ?? '/'];
    const plan = planComparison(blue, green, { paths, samples: o.measure.samples, rate: o.measure.rate, batches: o.measure.batches });
    const { order, why } = comparisonOrder(o.blue, o.green, paths, { quick: quickSuite(green, o.grep) });
    o.log(`${describePlan(plan)}; ${ORDER_WORDS[why]}${order === 'beside' ? probeWait(green, o.grep) : ''}`);
    const judged = (pairs: EndpointPair[], look: number) =>
      compareLatency(pairs, { minSamples: plan.samples * (look + 1), floorMs: o.measure.floorMs, errorRate: green.thresholds.errorRate, look: lookOptions(look, plan.batches, DEFAULT_JUDGE) });
    // Where the measurement is, for a wait that says how long it still takes.
    const progress = { batchFrom: 0, settled: false, batches: 0 };
    let suiteBlocks = false;
    const batch = () => {
      progress.batchFrom = Date.now();
      return measurePair(blue.baseUrl, green.baseUrl, { paths, rate: plan.rate, samples: plan.samples, timeoutMs: green.timeouts.requestMs, signal: o.signal });
    };
    const compare = async (): Promise<{ pairs: EndpointPair[]; reasons: Reason[] }> => {
      try {
        let pairs = await batch();
        let reasons = judged(pairs, 0);
        progress.batches = 1;
        for (let look = 1; look < plan.batches; look++) {
          // Only an inconclusive metric with nothing worse (and nothing else wrong with the samples) is worth more.
          const other = reasons.some((r) => !r.metric && atLeast(r.severity, 'SEV-2'));
          if (other || suiteBlocks || o.signal?.aborted || !worthExtending(reasons.flatMap((r) => (r.metric ? [r.metric] : [])))) break;
          const which = [...new Set(reasons.filter((r) => r.metric?.band === 'inconclusive').map((r) => r.part))].join(', ');
          o.log(`comparison inconclusive at n=${plan.samples * look} (${which}: the interval does not rule out the SEV-1 band, nothing significantly worse): measuring ${plan.samples} more of each colour, batch ${look + 1} of ${plan.batches}, about ${Math.ceil(plan.seconds)} s`);
          pairs = poolPairs(pairs, await batch());
          reasons = judged(pairs, look);
          progress.batches = look + 1;
        }
        o.log(`comparison measured (${plan.samples * progress.batches} per colour and path${progress.batches > 1 ? `, ${progress.batches} batches pooled` : ''}).`);
        return { pairs, reasons };
      } finally {
        progress.settled = true;
      }
    };

    // 1. The suite on green (the comparison before it, beside it or after it: comparisonOrder).
    let measuring: Promise<{ pairs: EndpointPair[]; reasons: Reason[] }> | undefined;
    if (order === 'before') {
      o.log(`measuring blue and green together: ${paths.join(', ')}...`);
      measuring = compare();
      await measuring;
      stopped();
    }
    o.log(`running the suite on green (${green.env})...`);
    const onProbeDone = order !== 'beside'
      ? undefined
      : () => {
          if (o.signal?.aborted) return;
          measuring = compare();
          // An unhandled rejection while the suite runs would end the process: awaited below.
          measuring.catch(() => undefined);
        };
    // Green is a candidate, not yet the environment: its run is stored apart and makes no history.
    const run = await runPlaywright(green, { reportsDir: o.reportsDir, grep: o.grep, signal: o.signal, kind: 'candidate', onProbeDone }, extraSecrets, o.log);
    const stop = stopRequestOf(o.signal);
    if (stop) {
      await measuring?.catch(() => undefined);
      throw new InterruptedError(`interrupted by ${stop}: no decision (green's partial report: ${run.runDir}/runbook.md)`);
    }
    const worst = run.report.incidents.filter((i) => atLeast(i.severity, 'SEV-2'));
    suiteBlocks = worst.length > 0 || !(run.report.verdict.status === 'healthy' || run.report.verdict.status === 'findings');
    for (const i of worst) reasons.push({ part: 'suite', severity: i.severity, text: `${i.root.checkId}: ${i.root.message} (${i.section.title}${i.consequences.length ? `; explains ${i.consequences.length} more failing check(s)` : ''})` });
    const evidence = run.report.verdict.status === 'healthy' || run.report.verdict.status === 'findings';
    // A run that executed no check, or did not finish, is no evidence that green is fit: never a GO.
    if (!evidence) reasons.push({ part: 'suite', severity: 'SEV-1', text: `the suite on green is no evidence (${run.report.verdict.status}${run.report.verdict.reason ? `: ${run.report.verdict.reason}` : ''})` });
    else if (!worst.length) {
      const c = run.report.counts;
      reasons.push({ part: 'suite', severity: 'SEV-3', text: `green passes the suite: ${c.passed} passed, ${run.report.incidents.length} incident(s) below SEV-2, ${c.skipped} skipped` });
    }

    // 2. Latency, its tail and errors, both colours at the same moment.
    if (order === 'after') o.log(`measuring blue and green together: ${paths.join(', ')}...`);
    if (measuring && !progress.settled) {
      const left = Math.max(1, Math.ceil(plan.seconds - (Date.now() - progress.batchFrom) / 1000));
      o.log(`the suite on green is done; waiting for the comparison, still measuring: about ${left} s of this batch left`);
    }
    const compared = await (measuring ?? compare());
    const latency = compared.pairs;
    stopped();
    reasons.push(...compared.reasons);
    if (progress.batches > 1) {
      reasons.push({ part: 'samples', severity: 'SEV-3', text: `the first ${plan.samples} samples per colour were inconclusive: judged on ${plan.samples * progress.batches} pooled from ${progress.batches} batches, each look's significance and confidence a share of the error budget (docs/cutover-statistics.md)` });
    }

    // 3. Status parity.
    if (blue.paths.status && green.paths.status) {
      const [bs, gs] = await Promise.all([getJson(`${blue.baseUrl}${blue.paths.status}`, blue.timeouts.requestMs), getJson(`${green.baseUrl}${green.paths.status}`, green.timeouts.requestMs)]);
      reasons.push(...compareStatus(green.paths.status, bs, gs));
    } else reasons.push({ part: 'status', severity: 'SEV-3', text: 'status parity not compared: no status endpoint (CREDLINK_STATUS_PATH=none)' });

    // 4. After the switch: the selector names green and the public URL is healthy.
    if (o.afterSwitch) {
      const read = await readServiceColour(production, production.timeouts.requestMs);
      reasons.push(selectorReason(read, o.colours.green, rehearsal));
      if (read.ok && read.value.colour === o.colours.blue) notSwitched = { service: `${read.value.namespace}/${read.value.service}`, selector: `${read.value.label}=${o.colours.blue}` };
      const publicUrl = `${production.baseUrl}${production.paths.health ?? '/'}`;
      const pub = await getJson(publicUrl, production.timeouts.requestMs);
      reasons.push(
        pub.status === 200
          ? { part: 'public-url', severity: 'SEV-3', text: `GET ${publicUrl} answers 200` }
          : { part: 'public-url', severity: 'SEV-0', text: `GET ${publicUrl} answered ${pub.status ?? pub.error}` },
      );
    }

    const clean = reasons.map((r) => ({ ...r, text: scrub.text(r.text) }));
    const blocking = clean.filter((r) => atLeast(r.severity, 'SEV-2'));
    return {
      decision: blocking.length ? 'NO-GO' : 'GO',
      blue: o.blue.env,
      green: o.green.env,
      afterSwitch: o.afterSwitch,
      blocking,
      passed: clean.filter((r) => !atLeast(r.severity, 'SEV-2')),
      rollback: rollbackCommand(production, o.colours.blue),
      rehearsal,
      ...(notSwitched ? { notSwitched } : {}),
      greenReport: { runDir: run.runDir, verdict: run.report.verdict },
      latency: latency.map(({ path, blue: b, green: g }) => ({ path, blue: { ...b, latenciesMs: undefined, allMs: undefined }, green: { ...g, latenciesMs: undefined, allMs: undefined } })),
      plan: { ...plan, measured: progress.batches },
      ...(reused.length ? { reused } : {}),
      links: { url: production.runbook.url },
    };
  } finally {
    for (const s of stacks.reverse()) await s.stop();
  }
}

export function renderCutover(v: CutoverVerdict): string {
  const out = ['', `CUTOVER ${v.decision}: blue ${v.blue} -> green ${v.green}${v.afterSwitch ? ' (after the switch)' : ' (before the switch)'}`];
  if (v.blocking.length) {
    out.push('blocking:');
    for (const r of v.blocking) out.push(`  ${r.severity} ${r.part}: ${r.text}`);
  }
  out.push('checked:');
  // A passing line is not an incident: no severity at its end.
  for (const r of v.passed) out.push(`  ok ${r.part}: ${r.text.replace(/\s*\(SEV-\d\)$/, '')}`);
  if (v.decision === 'GO') {
    out.push(`${v.afterSwitch ? 'Green serves production.' : 'Safe to switch (runbook: kubectl patch service ... environment=green), then run again with --after-switch.'} Rollback if needed: ${v.rollback}`);
  } else if (v.afterSwitch && v.rehearsal) {
    out.push(`Rehearsal on the embedded target: nothing was switched, so there is nothing to roll back. On a real cluster: ${v.rollback}`);
  } else if (v.afterSwitch && v.notSwitched) {
    out.push(
      `The switch did not happen: Service ${v.notSwitched.service} still selects ${v.notSwitched.selector}, so traffic never left blue and there is nothing to roll back. Switch it (runbook: kubectl patch service ... environment=green), then run again with --after-switch.`,
    );
  } else out.push(`${v.afterSwitch ? 'Roll back now' : 'Do not switch; if already switched, roll back'}: ${v.rollback}`);
  const href = runbookLink({ anchor: sections['blue-green'].anchor }, v.links);
  out.push(`runbook: ${sections['blue-green'].title}${href ? ` ${href}` : ''}`);
  if (v.greenReport) out.push(`green report: ${v.greenReport.runDir}/runbook.md`);
  return out.join('\n') + '\n';
}

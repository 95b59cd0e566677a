/**
 * The runbook's "2. Blue-Green Deployment" procedure as a decision. GO only when:
 * 1. green passes the suite with nothing at or above SEV-2;
 * 2. green vs blue p95 and error-rate deltas, measured at the same moment, stay inside the
 *    degradation bands (compare.ts);
 * 3. the status endpoint has parity (versions may differ);
 * 4. with afterSwitch: the production Service selector names green, and the public URL's health
 *    endpoint answers 200.
 * Embedded colours (the local rehearsal) are started here, each with its own faults.
 */
import { secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { atLeast } from '../../runbooks/severity.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { startEmbedded, type EmbeddedStack } from '../run/embedded.ts';
import { InterruptedError } from '../errors.ts';
import { stopRequestOf } from '../process/shutdown.ts';
import { runPlaywright, throwIfStopped } from '../run/execute.ts';
import { prepareDir } from '../run/reports-dir.ts';
import { assertSelects } from '../run/select.ts';
import { Scrubber } from '../secrets/scrub.ts';
import type { ActiveFaults } from '../target/faults.ts';
import { compareLatency, compareStatus, type Reason, type StatusAnswer } from './compare.ts';
import { measurePair, type EndpointPair } from './measure.ts';
import { readServiceColour } from './service.ts';

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
  measure: { paths?: string[]; rate: number; samples: number; minDeltaMs: number };
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
  greenReport: { runDir: string; verdict: RunbookReport['verdict'] } | null;
  latency: EndpointPair[];
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
  const ns = production.kube?.namespace ?? 'credlink-production';
  const patch = JSON.stringify({ spec: { selector: { [production.kubeService.colorLabel]: blueColour } } });
  return `kubectl patch service ${production.kubeService.name} -n ${ns} -p '${patch}'`;
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
    const production = o.production ?? blue;
    const extraSecrets = stacks.flatMap((s) => s.secrets);
    const scrub = new Scrubber([...secretsOf(blue), ...secretsOf(green), ...secretsOf(production), ...extraSecrets]);
    const reasons: Reason[] = [];

    // 1. The suite on green.
    o.log(`running the suite on green (${green.env})...`);
    // Green is a candidate, not yet the environment: its run is stored apart and makes no history.
    const run = await runPlaywright(green, { reportsDir: o.reportsDir, grep: o.grep, signal: o.signal, kind: 'candidate' }, extraSecrets, o.log);
    const stop = stopRequestOf(o.signal);
    if (stop) throw new InterruptedError(`interrupted by ${stop}: no decision (green's partial report: ${run.runDir}/runbook.md)`);
    // No GO on a suite that saw nothing or did not finish.
    const incomplete = run.report.verdict.status === 'no-evidence' || run.report.verdict.status === 'interrupted';
    if (incomplete) reasons.push({ part: 'suite', severity: 'SEV-1', text: `green's suite is not evidence (${run.report.verdict.status}): ${run.report.verdict.reason ?? 'no check executed'}` });
    const worst = run.report.findings.filter((f) => atLeast(f.severity, 'SEV-2'));
    for (const f of worst) reasons.push({ part: 'suite', severity: f.severity, text: `${f.checkId}: ${f.message.split('\n')[0]} (${f.section.title})` });
    if (!worst.length && !incomplete) {
      const c = run.report.counts;
      reasons.push({ part: 'suite', severity: 'SEV-3', text: `green passes the suite: ${c.passed} passed, ${run.report.findings.length} finding(s) below SEV-2, ${c.skipped} skipped` });
    }

    // 2. Latency and errors, both colours at the same moment.
    const paths = o.measure.paths ?? [green.paths.health];
    o.log(`measuring blue and green together: ${paths.join(', ')} at ${o.measure.rate}/s, ${o.measure.samples} samples each...`);
    const latency = await measurePair(blue.baseUrl, green.baseUrl, { paths, rate: o.measure.rate, samples: o.measure.samples, timeoutMs: green.timeouts.requestMs, signal: o.signal });
    stopped();
    reasons.push(...compareLatency(latency, { minSamples: o.measure.samples, minDeltaMs: o.measure.minDeltaMs, errorRate: green.thresholds.errorRate }));

    // 3. Status parity.
    const [bs, gs] = await Promise.all([getJson(`${blue.baseUrl}${blue.paths.status}`, blue.timeouts.requestMs), getJson(`${green.baseUrl}${green.paths.status}`, green.timeouts.requestMs)]);
    reasons.push(...compareStatus(green.paths.status, bs, gs));

    // 4. After the switch: the selector names green and the public URL is healthy.
    if (o.afterSwitch) {
      const read = await readServiceColour(production, production.timeouts.requestMs);
      if (!read.ok) reasons.push({ part: 'selector', severity: 'SEV-1', text: `cannot read the Service selector: ${read.error}` });
      else if (read.value.colour !== o.colours.green) {
        reasons.push({
          part: 'selector',
          severity: 'SEV-1',
          text: `Service ${read.value.namespace}/${read.value.service} selects ${read.value.label}=${read.value.colour ?? '(unset)'}, not ${o.colours.green}: traffic still goes to ${read.value.colour ?? 'no colour'}`,
        });
      } else reasons.push({ part: 'selector', severity: 'SEV-3', text: `Service ${read.value.namespace}/${read.value.service} selects ${read.value.label}=${o.colours.green}` });
      const pub = await getJson(`${production.baseUrl}${production.paths.health}`, production.timeouts.requestMs);
      reasons.push(
        pub.status === 200
          ? { part: 'public-url', severity: 'SEV-3', text: `GET ${production.baseUrl}${production.paths.health} answers 200` }
          : { part: 'public-url', severity: 'SEV-0', text: `GET ${production.baseUrl}${production.paths.health} answered ${pub.status ?? pub.error}` },
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
      greenReport: { runDir: run.runDir, verdict: run.report.verdict },
      latency,
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
  for (const r of v.passed) out.push(`  ok ${r.part}: ${r.text}`);
  out.push(
    v.decision === 'GO'
      ? `${v.afterSwitch ? 'Green serves production.' : 'Safe to switch (runbook: kubectl patch service ... environment=green), then run again with --after-switch.'} Rollback if needed: ${v.rollback}`
      : `${v.afterSwitch ? 'Roll back now' : 'Do not switch; if already switched, roll back'}: ${v.rollback}`,
  );
  out.push('runbook: RUNBOOK.md#2-blue-green-deployment');
  if (v.greenReport) out.push(`green report: ${v.greenReport.runDir}/runbook.md`);
  return out.join('\n') + '\n';
}

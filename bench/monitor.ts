/**
 * `npm run bench -- --only monitor`: the continuous monitor as a user runs it (README of
 * docs/monitoring-window.md). A reference target (child process) with the default rate limit
 * declared (100/min), a `schedule` daemon (child process) with a default schedule.json entry
 * (no cron: the window plus the due checks), and a loopback PagerDuty receiver in this process.
 * Measured, never asserted:
 * - time to page: from switching every route to 503 (PUT /__admin/faults) to the SEV-0 trigger of
 *   the `outage` incident at the receiver; time to resolve: from switching it off to the resolve;
 *   over --trials trials (p50, p95, max); then as many trials of an outage seen as connection
 *   refused (the daemon samples the target through a loopback relay, which is unplugged: new
 *   connections refused, open ones reset; plugged in again on the same port);
 * - other pages during the outage trials and the window after them: an outage is one page, goal 0;
 * - a 7% error rate on one endpoint -> the SEV-1 page, an 8% tail at 2.5 s -> the SEV-2 page
 *   (one trial each, bounded by one window and a half; --skip-rates leaves them out);
 * - the daemon's CPU share over --period seconds of steady state (its own CPU and that of the
 *   Playwright runs of due checks it waited for), and its resident memory (peak, VmHWM);
 * - budget starvation: checks of the daemon's runs held for want of room ("[RATE BUDGET] not
 *   sent"), counted in the runs' runbook.json (the daemon's log names only incident counts).
 * The issue's goals are printed beside each figure.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/run/paths.ts';
import { startTcpPlug } from '../tests/helpers/tcp-plug.ts';
import { BIN, startTarget } from './targets.ts';

interface Event {
  at: number;
  action: string;
  dedup: string;
  severity: string;
}

const GOALS = { pageS: 30, resolveS: 60, errorRateS: 330, tailS: 330, cpuShare: 0.02, rssMiB: 150 };

function procStat(pid: number): { cpuS: number; rssMiB: number; hwmMiB: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 100;
    // utime, stime, cutime, cstime: fields 14-17 (index 11-14 after the command).
    const cpuS = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { cpuS, rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

const pct = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN;
};
const r1 = (n: number) => Math.round(n * 10) / 10;

export async function runMonitorBench(o: { trials: number; periodS: number; skipRates: boolean; work: string; out: string; log: (l: string) => void }): Promise<void> {
  const { log, work } = o;
  const events: Event[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const b = JSON.parse(body) as { event_action: string; dedup_key: string; payload?: { severity: string } };
        events.push({ at: Date.now(), action: b.event_action, dedup: b.dedup_key, severity: b.payload?.severity ?? '' });
      } catch {
        /* not an event */
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const pdUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  log('monitor: starting the reference target...');
  const target = await startTarget(work, 'bench-monitor');
  const envFile = path.join(work, 'bench-monitor.env');
  // The daemon samples the target through a relay the refused-connection trials unplug.
  const plug = await startTcpPlug(new URL(target.baseUrl));
  // The defaults of a remote environment: the default rate limit (100/min) declared, PagerDuty paged.
  const text = fs
    .readFileSync(target.envFile, 'utf8')
    .replace(/^CREDLINK_RATE_LIMIT=.*$/m, 'CREDLINK_RATE_LIMIT=100/min')
    .replace(/^CREDLINK_BASE_URL=.*$/m, `CREDLINK_BASE_URL=${plug.url}`);
  fs.writeFileSync(envFile, `${text}\nCREDLINK_PAGERDUTY_ROUTING_KEY=R0UTINGKEY0123456789abcdefabcdef\nCREDLINK_PAGERDUTY_EVENTS_URL=${pdUrl}/v2/enqueue\n`, { mode: 0o600 });
  const scheduleFile = path.join(work, 'schedule.json');
  fs.writeFileSync(scheduleFile, JSON.stringify({ listen: { port: 0 }, stateDir: path.join(work, 'state'), reportsDir: path.join(work, 'reports'), environments: [{ env: 'bench-monitor', envFile }] }));
  const daemon = spawn(process.execPath, ['--', BIN, 'schedule', '--config', scheduleFile], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  daemon.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const waitFor = async (what: string, pred: () => boolean, ms: number): Promise<number | null> => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) {
        log(`monitor: not within ${ms / 1000} s: ${what}`);
        return null;
      }
      if (daemon.exitCode !== null) throw new Error(`the daemon exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - t0;
  };
  const outage = 'credlink-checks/bench-monitor/outage';
  const figures: Record<string, unknown> = {};
  try {
    await waitFor('the daemon listening', () => /listening on http/.test(stderr), 120_000);
    const url = /listening on (http:\/\/[^ ]+) /.exec(stderr)![1]!;
    const window = async () => (await (await fetch(`${url}/window?env=bench-monitor`)).json()) as { window: { endpoints: { samples: number; down: boolean }[]; judgement: unknown } | null };
    let ready = false;
    void (async () => {
      while (!ready) {
        const w = await window().catch(() => null);
        ready = Boolean(w?.window?.judgement) && Boolean(w?.window?.endpoints.every((e) => e.samples > 0 && !e.down));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await waitFor('the first judgement', () => ready, 120_000);
    // The first due-check run done before a fault is injected (a run straddling the switch sees half of it).
    const runsDir = path.join(work, 'reports', 'bench-monitor');
    await waitFor('the first due-check run', () => fs.existsSync(runsDir) && fs.readdirSync(runsDir).some((r) => fs.existsSync(path.join(runsDir, r, 'runbook.json'))), 240_000);
    /** Outage trials: `down` then `up`, the time to the outage's page and to its resolve. */
    const outageTrials = async (what: string, down: () => Promise<void>, up: () => Promise<void>, after: string) => {
      const pages: number[] = [];
      const resolves: number[] = [];
      for (let i = 1; i <= o.trials; i++) {
        const before = events.length;
        const at = (action: string) => events.slice(before).find((e) => e.dedup === outage && e.action === action);
        await down();
        const t0 = Date.now();
        const paged = await waitFor(`the outage page (${what})`, () => at('trigger') !== undefined, 180_000);
        const pageMs = paged === null ? null : at('trigger')!.at - t0;
        await up();
        const t1 = Date.now();
        const resolved = await waitFor(`the outage resolve (${what})`, () => at('resolve') !== undefined, 300_000);
        const resolveMs = resolved === null ? null : at('resolve')!.at - t1;
        if (pageMs !== null) pages.push(pageMs / 1000);
        if (resolveMs !== null) resolves.push(resolveMs / 1000);
        log(`monitor: ${what} trial ${i}/${o.trials}: paged after ${pageMs === null ? 'none' : `${r1(pageMs / 1000)} s`}, resolved ${resolveMs === null ? 'never' : `${r1(resolveMs / 1000)} s`} after ${after}`);
        await new Promise((r) => setTimeout(r, 5000));
      }
      return { trials: o.trials, pageS: pages, resolveS: resolves, pageP50: pct(pages, 0.5), pageP95: pct(pages, 0.95), resolveP50: pct(resolves, 0.5), resolveP95: pct(resolves, 0.95), missed: o.trials - pages.length };
    };
    const trialsFrom = events.length;
    const out503 = await outageTrials('503', () => target.setFaults({ 'service-unavailable': true }), () => target.setFaults({}), 'recovery');
    figures.outage = out503;
    const refused = await outageTrials('refused', () => plug.unplug(), () => plug.plug(), 'it listened again');
    figures.refused = refused;
    // An outage is one page: anything else paged during the trials, or while their samples are still in
    // the window (an error rate they leave behind), is a false page. One window (5 min) and a round later.
    const otherPages = () => events.slice(trialsFrom).filter((e) => e.action === 'trigger' && e.dedup !== outage).map((e) => `${e.dedup.replace('credlink-checks/bench-monitor/', '')} ${e.severity}`);
    log('monitor: one window (310 s) for what the outages leave behind...');
    await new Promise((r) => setTimeout(r, 310_000));
    figures.otherPagesDuringOutages = otherPages();
    const [pages, resolves, rPages, rResolves] = [out503.pageS, out503.resolveS, refused.pageS, refused.resolveS];
    if (!o.skipRates) {
      for (const [name, faults, key, severity, goal] of [
        ['error rate 7% on /api/v1/status', { 'endpoint-error-rate': { path: '/api/v1/status', percent: 7 } }, 'symptom:error-rate', 'error', GOALS.errorRateS],
        ['8% tail at 2.5 s', { 'long-tail': 2500 }, 'symptom:slow-responses', 'warning', GOALS.tailS],
      ] as const) {
        // A clean start: every incident the earlier faults opened resolved (an open one would not page again).
        const open = () => {
          const state = new Map<string, boolean>();
          for (const e of events) state.set(e.dedup, e.action !== 'resolve');
          return [...state].filter(([, o]) => o).map(([k]) => k);
        };
        if (open().length) log(`monitor: waiting for ${open().join(', ')} to resolve before: ${name}`);
        await waitFor('every incident resolved', () => open().length === 0, 420_000);
        const before = events.length;
        await target.setFaults(faults);
        const dedup = `credlink-checks/bench-monitor/${key}`;
        const hit = await waitFor(name, () => events.slice(before).some((e) => e.action === 'trigger' && e.dedup === dedup && e.severity === severity), goal * 1000 * 1.5);
        const seen = events.slice(before).map((e) => `${e.action} ${e.dedup.replace('credlink-checks/bench-monitor/', '')} ${e.severity}`);
        if (hit === null) log(`monitor: events while ${name}: ${seen.join('; ') || 'none'}`);
        figures[name] = { seconds: hit === null ? null : hit / 1000, incident: key, severity, goalS: goal, events: seen };
        log(`monitor: ${name}: ${hit === null ? 'no page' : `paged ${severity} after ${r1(hit / 1000)} s`} (goal <= ${goal} s)`);
        await target.setFaults({});
        // Let the window forget the fault before the next one.
        await new Promise((r) => setTimeout(r, 10_000));
      }
    }
    log(`monitor: steady state for ${o.periodS} s (CPU and memory of the daemon and the due-check runs it waits for)...`);
    const a = procStat(daemon.pid!);
    const ta = Date.now();
    let peakRss = 0;
    while (Date.now() - ta < o.periodS * 1000) {
      const s = procStat(daemon.pid!);
      if (s) peakRss = Math.max(peakRss, s.rssMiB);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const b = procStat(daemon.pid!);
    const seconds = (Date.now() - ta) / 1000;
    // Checks held for want of room, in the runs' own reports: over the whole bench, and in the steady state.
    const heldPerRun: { at: number; n: number }[] = [];
    for (const run of fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []) {
      const file = path.join(runsDir, run, 'runbook.json');
      if (!fs.existsSync(file)) continue;
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { startedAt: string; findings: { message?: string }[]; skipped: { reason?: string }[] };
      heldPerRun.push({ at: Date.parse(r.startedAt), n: [...r.findings.map((f) => f.message ?? ''), ...r.skipped.map((x) => x.reason ?? '')].filter((m) => m.includes('RATE BUDGET')).length });
    }
    const held = (since: number) => heldPerRun.filter((x) => x.at >= since).reduce((a, x) => a + x.n, 0);
    const starvation = held(ta);
    const starvationAll = held(0);
    figures.steady = { seconds, cpuShare: a && b ? (b.cpuS - a.cpuS) / seconds : null, rssPeakMiB: peakRss, vmHwmMiB: b?.hwmMiB ?? null, budgetStarvation: starvation, budgetStarvationWholeBench: starvationAll };
    const lines = [
      `monitor section (${o.trials} outage trials; the machine's load counts: see the load average)`,
      `  time to page (outage, SEV-0):     p50 ${r1(pct(pages, 0.5))} s, p95 ${r1(pct(pages, 0.95))} s, max ${r1(Math.max(...pages))} s   goal p95 <= ${GOALS.pageS} s: ${pct(pages, 0.95) <= GOALS.pageS && pages.length === o.trials ? 'PASS' : 'MISS'}`,
      `  time to resolve after recovery:   p50 ${r1(pct(resolves, 0.5))} s, p95 ${r1(pct(resolves, 0.95))} s   goal <= ${GOALS.resolveS} s: ${pct(resolves, 0.95) <= GOALS.resolveS && resolves.length === o.trials ? 'PASS' : 'MISS'}`,
      `  refused connections to the page:  p50 ${r1(pct(rPages, 0.5))} s, p95 ${r1(pct(rPages, 0.95))} s, max ${r1(Math.max(...rPages))} s   goal p95 <= ${GOALS.pageS} s: ${pct(rPages, 0.95) <= GOALS.pageS && rPages.length === o.trials ? 'PASS' : 'MISS'}`,
      `  listening again to the resolve:   p50 ${r1(pct(rResolves, 0.5))} s, p95 ${r1(pct(rResolves, 0.95))} s   goal <= ${GOALS.resolveS} s: ${pct(rResolves, 0.95) <= GOALS.resolveS && rResolves.length === o.trials ? 'PASS' : 'MISS'}`,
      `  other pages during the outage trials and one window after: ${(figures.otherPagesDuringOutages as string[]).length}${(figures.otherPagesDuringOutages as string[]).length ? ` (${(figures.otherPagesDuringOutages as string[]).join(', ')})` : ''}   goal 0: ${(figures.otherPagesDuringOutages as string[]).length === 0 ? 'PASS' : 'MISS'}`,
      ...(o.skipRates
        ? []
        : (['error rate 7% on /api/v1/status', '8% tail at 2.5 s'] as const).map((k) => {
            const f = figures[k] as { seconds: number | null; goalS: number; severity: string };
            return `  ${k} -> ${f.severity}: ${f.seconds === null ? 'not paged' : `${r1(f.seconds)} s`}   goal <= ${f.goalS} s: ${f.seconds !== null && f.seconds <= f.goalS ? 'PASS' : 'MISS'}`;
          })),
      `  CPU share over ${Math.round(seconds)} s: ${r1(((figures.steady as { cpuShare: number }).cpuShare ?? NaN) * 100)}% of one core   goal <= ${GOALS.cpuShare * 100}%: ${((figures.steady as { cpuShare: number }).cpuShare ?? 1) <= GOALS.cpuShare ? 'PASS' : 'MISS'}`,
      `  resident memory of the daemon: peak ${r1(peakRss)} MiB (VmHWM ${r1(b?.hwmMiB ?? NaN)} MiB)   goal <= ${GOALS.rssMiB} MiB: ${(b?.hwmMiB ?? Infinity) <= GOALS.rssMiB ? 'PASS' : 'MISS'}`,
      `  checks held for want of room ("RATE BUDGET: not sent") in the steady state's runs: ${starvation} (whole bench, the start included: ${starvationAll})   goal 0: ${starvation === 0 ? 'PASS' : 'MISS'}`,
    ];
    for (const l of lines) log(l);
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify({ section: 'monitor', goals: GOALS, figures, report: lines }, null, 2) + '\n');
    log(`figures written to ${o.out}`);
  } finally {
    if (daemon.exitCode === null) {
      const closed = new Promise((r) => daemon.once('close', r));
      daemon.kill('SIGTERM');
      await closed;
    }
    // The daemon's log beside the figures (its lines carry no secret): what paged when, the plan it printed.
    try {
      fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
      fs.writeFileSync(o.out.replace(/\.json$/, '') + '.daemon.log', stderr);
    } catch {
      /* the figures matter more */
    }
    await plug.close();
    await target.stop();
    await new Promise((r) => receiver.close(r));
  }
}

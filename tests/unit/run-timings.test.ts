/**
 * Where a run spends its time (runbook.json `timings`): the CLI's clock merges the runner's phases
 * on one axis and counts the run's CPU; reports of older builds (no timings) still read; the HTML
 * report shows the phases; a finding that kept its worker is a failed check for the runbook
 * reporter and a failed result in Allure.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { applyIncidentLabels } from '../../src/report/allure-results.ts';
import { renderHtml, timingsHtml } from '../../src/report/html.ts';
import { parseReport } from '../../src/reporter/read.ts';
import type { Timings } from '../../src/reporter/schema.ts';
import { RunClock } from '../../src/run/timings.ts';
import { tempDir } from '../helpers/harness.ts';
import { outageReport } from '../helpers/reports.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('run clock: the runner\'s phases join the CLI\'s on one axis; playwright start counts from the spawn, reporters up to the exit', () => {
  const origin = Date.parse('2026-01-01T00:00:00.000Z');
  const clock = new RunClock(origin);
  try {
    clock.mark('tool start', origin, origin + 400);
    clock.mark('scrubbing', origin + 9000, origin + 9200);
    // The runner's process started 500 ms after the CLI; its phases count from its own start.
    const runner: Timings = {
      origin: new Date(origin + 500).toISOString(),
      totalMs: 8000,
      phases: [
        { name: 'playwright start', startMs: 0, ms: 1500 },
        { name: 'suite a.spec.ts', startMs: 2500, ms: 3000 },
        { name: 'reporters', startMs: 7900, ms: 100 },
      ],
      cpuSeconds: 3,
      cpu: { checks: 3 },
      peakRssMiB: 180,
      processes: [{ role: 'runner', cpuSeconds: 1, peakRssMiB: 150 }, { role: 'worker', cpuSeconds: 2, peakRssMiB: 180 }],
    };
    const t = clock.timings(runner, { spawnedAt: origin + 420, exitedAt: origin + 8900 });
    const byName = Object.fromEntries(t.phases.map((p) => [p.name, p]));
    assert.deepEqual(byName['playwright start'], { name: 'playwright start', startMs: 420, ms: 1580 }, 'from the spawn to the runner being ready');
    assert.deepEqual(byName['suite a.spec.ts'], { name: 'suite a.spec.ts', startMs: 3000, ms: 3000 });
    assert.deepEqual(byName['reporters'], { name: 'reporters', startMs: 8400, ms: 500 }, 'up to the runner\'s exit');
    assert.deepEqual(t.phases.map((p) => p.name), ['tool start', 'playwright start', 'suite a.spec.ts', 'reporters', 'scrubbing']);
    assert.equal(t.totalMs, 9200);
    assert.equal(t.cpu?.checks, 3);
    assert.ok(t.cpuSeconds! >= 3, 'the checks plus this process');
    assert.equal(t.processes?.[0]?.role, 'tool');
    assert.equal(t.peakRssMiB, Math.max(180, t.processes![0]!.peakRssMiB));
  } finally {
    clock.end();
  }
});

test('run clock: a run that overlapped another in the same process says its process share is not its own', () => {
  const a = new RunClock();
  const b = new RunClock();
  b.end();
  const t = a.timings(undefined);
  a.end();
  assert.equal(t.cpu?.shared, true);
  const alone = new RunClock();
  const u = alone.timings(undefined);
  alone.end();
  assert.equal(u.cpu?.shared, undefined);
});

test('reports without timings (older builds) still read; the HTML report shows the phases and the CPU when present', () => {
  const old = outageReport();
  delete (old as { timings?: unknown }).timings;
  assert.ok(parseReport(JSON.parse(JSON.stringify(old))).success);
  assert.equal(timingsHtml(old), '');
  const timings: Timings = {
    origin: '2026-01-01T00:00:00.000Z',
    totalMs: 6000,
    phases: [
      { name: 'tool start', startMs: 0, ms: 500 },
      { name: 'suite <b>x</b>.spec.ts', startMs: 1000, ms: 2000 },
      { name: 'diagnostics', startMs: 2000, ms: 700 },
    ],
    cpuSeconds: 4.25,
    cpu: { checks: 3, tool: 1.2, children: 0.05 },
    peakRssMiB: 190,
    processes: [{ role: 'tool', cpuSeconds: 1.2, peakRssMiB: 120 }, { role: 'worker', cpuSeconds: 2, peakRssMiB: 190 }],
  };
  const html = renderHtml({ ...old, timings });
  assert.match(html, /<details id="timings"><summary><strong>Where the run spent its time<\/strong> \(6\.0 s, 4\.3 s CPU\)/);
  assert.match(html, /<td>suite &lt;b&gt;x&lt;\/b&gt;\.spec\.ts<\/td><td class="num">1\.00<\/td><td class="num">2\.00<\/td>/, 'phase names escaped');
  assert.match(html, /CPU: 4\.25 s \(checks: Playwright runner and workers 3\.00 s, this tool 1\.20 s, other processes 0\.05 s\)/);
  assert.match(html, /worker 190 MiB \(2\.00 s CPU\)/);
});

test('allure: a finding whose check kept its worker (an expected failure to Playwright, "passed" in its result) is failed with its message', () => {
  const dir = tempDir('credlink-allure-');
  dirs.push(dir);
  const report = outageReport();
  const f = report.findings[0]!;
  fs.writeFileSync(path.join(dir, 'a-result.json'), JSON.stringify({ status: 'passed', labels: [{ name: 'story', value: f.checkId }] }));
  fs.writeFileSync(path.join(dir, 'b-result.json'), JSON.stringify({ status: 'passed', labels: [{ name: 'story', value: 'db.connect' }] }));
  applyIncidentLabels(dir, report);
  const a = JSON.parse(fs.readFileSync(path.join(dir, 'a-result.json'), 'utf8')) as { status: string; statusDetails?: { message?: string } };
  const b = JSON.parse(fs.readFileSync(path.join(dir, 'b-result.json'), 'utf8')) as { status: string };
  assert.equal(a.status, 'failed');
  assert.equal(a.statusDetails?.message, f.message);
  assert.equal(b.status, 'passed', 'a check without a finding stays as it was');
});

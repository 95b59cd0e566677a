import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compareToBaseline, judgeAgainstBaseline, readBaselineRuns, type BaselineRun } from '../../src/perf/baseline.ts';
import { latencies, rng, type Shape } from '../helpers/latency-samples.ts';
import { tempDir } from '../helpers/harness.ts';

const m = (name: string, p95: number | null, samples = 100) => ({ checkId: 'perf.latency', name, samples, p50: null, p95, p99: null, errorRate: 0, unit: 'ms' as const });
const runs = (...p95s: number[]): BaselineRun[] => p95s.map((p, i) => ({ runId: `r${i}`, measurements: [m('GET /health', p)] }));

const table: [name: string, current: number, baseline: BaselineRun[], minDelta: number, worst: number][] = [
  ['same as baseline', 200, runs(200), 50, 0],
  ['10% worse: under the SEV-2 band', 220, runs(200), 10, 10],
  ['35% worse', 270, runs(200), 50, 35],
  ['60% worse', 320, runs(200), 50, 60],
  ['median of the baseline runs (outlier ignored)', 300, runs(200, 200, 5000), 50, 50],
  ['within the noise floor: 2 ms vs 1 ms is not +100%', 2, runs(1), 50, 0],
  ['better than baseline', 100, runs(200), 50, 0],
];
for (const [name, current, baseline, minDelta, worst] of table) {
  test(`degradation: ${name} -> ${worst}%`, () => {
    const d = compareToBaseline([{ name: 'GET /health', p95: current, samples: 100 }], baseline, minDelta);
    assert.equal(Math.round(d.worstPercent), worst);
  });
}

test('degradation: too few samples now or in the baseline -> not compared', () => {
  assert.equal(compareToBaseline([{ name: 'GET /health', p95: 900, samples: 58 }], runs(100), 0).rows.length, 0);
  const thin: BaselineRun[] = [{ runId: 'r', measurements: [m('GET /health', 100, 20)] }];
  assert.equal(compareToBaseline([{ name: 'GET /health', p95: 900, samples: 100 }], thin, 0).rows.length, 0);
});

test('baseline runs: newest first, healthy perf only, another environment (blue) when asked', () => {
  const dir = tempDir('credlink-baseline-');
  try {
    const write = (env: string, runId: string, p95: number, perfFinding = false) => {
      const d = path.join(dir, env, runId);
      fs.mkdirSync(d, { recursive: true });
      const finding = { checkId: 'perf.latency', title: 't', status: 'failed', severity: 'SEV-2', severityRule: 'r', section: { title: 's', anchor: 'a' }, expected: 'e', actual: 'a', message: 'm', immediateActions: [], evidence: [], durationMs: 1, file: 'f' };
      const report = {
        schemaVersion: 1, env, runId, baseUrl: 'http://x', startedAt: new Date().toISOString(), durationMs: 1,
        verdict: { status: perfFinding ? 'findings' : 'healthy', severity: perfFinding ? 'SEV-2' : null },
        counts: { total: 1, passed: 1, failed: 0, skipped: 0, flaky: 0 },
        findings: perfFinding ? [finding] : [], passed: [], skipped: [], flaky: [], measurements: [m('GET /health', p95)], uncatalogued: [],
      };
      fs.writeFileSync(path.join(d, 'runbook.json'), JSON.stringify(report));
    };
    write('green', '20260101T000000Z-aaaa', 100);
    write('green', '20260102T000000Z-bbbb', 110);
    write('green', '20260103T000000Z-cccc', 900, true);
    write('blue', '20260101T000000Z-dddd', 50);
    fs.mkdirSync(path.join(dir, 'green', '20260104T000000Z-eeee'));
    const green = readBaselineRuns(dir, 'green', 5);
    assert.deepEqual(green.map((r) => r.runId), ['20260102T000000Z-bbbb', '20260101T000000Z-aaaa']);
    assert.deepEqual(readBaselineRuns(dir, 'green', 1).map((r) => r.runId), ['20260102T000000Z-bbbb']);
    assert.deepEqual(readBaselineRuns(dir, 'blue', 5).map((r) => r.runId), ['20260101T000000Z-dddd']);
    assert.deepEqual(readBaselineRuns(dir, 'nowhere', 5), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The statistical comparison (src/cutover/judge.ts), as cutover's: this run's latencies against
// the pooled latencies of the baseline runs that kept them.
const withLatencies = (seed: number, runsCount: number, shape: Shape): BaselineRun[] => {
  const r = rng(seed);
  return Array.from({ length: runsCount }, (_, i) => ({ runId: `r${i}`, measurements: [{ ...m('GET /health', null), latenciesMs: latencies(r, 100, shape) }] }));
};
const judgedNow = (seed: number, shape: Shape, runs: BaselineRun[], minDelta: number) =>
  judgeAgainstBaseline([{ name: 'GET /health', latenciesMs: latencies(rng(seed), 200, shape) }], runs, minDelta);

test('degradation by statistics: same distribution passes; 35% and 70% slower land in the SEV-2 and SEV-1 bands', () => {
  const runs = withLatencies(1, 5, { medianMs: 300 });
  const same = judgedNow(2, { medianMs: 300 }, runs, 0);
  assert.equal(same.endpoints[0]!.baselineSamples, 500);
  assert.equal(same.worst!.metric.band, 'OK');
  assert.equal(judgedNow(3, { medianMs: 300, slower: 0.35 }, runs, 0).worst!.metric.band, 'SEV-2');
  const much = judgedNow(4, { medianMs: 300, slower: 0.7 }, runs, 0).worst!;
  assert.equal(much.metric.band, 'SEV-1');
  assert.ok(much.metric.effect > 1.5 && much.metric.low > 1, JSON.stringify(much.metric));
});

test('degradation by statistics: a 3 ms service 60% slower is degraded (no 50 ms floor), unless the floor says jitter', () => {
  const runs = withLatencies(5, 5, { medianMs: 3 });
  assert.equal(judgedNow(6, { medianMs: 3, slower: 0.6 }, runs, 0.5).worst!.metric.band, 'SEV-1');
  const floored = judgedNow(6, { medianMs: 3, slower: 0.6 }, runs, 50).worst!;
  assert.equal(floored.metric.band, 'OK');
  assert.match(floored.metric.why, /under the 50 ms jitter floor/);
});

test('degradation by statistics: baseline runs without raw latencies, or too few samples now, are not judged this way', () => {
  assert.equal(judgeAgainstBaseline([{ name: 'GET /health', latenciesMs: latencies(rng(1), 200, { medianMs: 3 }) }], runs(100), 0).endpoints.length, 0);
  assert.equal(judgeAgainstBaseline([{ name: 'GET /health', latenciesMs: latencies(rng(1), 58, { medianMs: 3 }) }], withLatencies(1, 5, { medianMs: 3 }), 0).endpoints.length, 0);
});

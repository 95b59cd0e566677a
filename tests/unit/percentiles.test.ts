import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, summarize, sufficiency } from '../../src/stats/percentiles.ts';

test('percentiles: nearest rank on 1..100', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  const s = summarize(v.reverse())!;
  assert.deepEqual([s.p50, s.p95, s.p99, s.min, s.max], [50, 95, 99, 1, 100]);
});

test('percentiles: a 5% tail of slow requests shows at p99 but not p95 of 100; 6% shows at p95', () => {
  const five = [...Array(95).fill(10), ...Array(5).fill(3000)];
  assert.equal(summarize(five)!.p95, 10);
  assert.equal(summarize(five)!.p99, 3000);
  const six = [...Array(94).fill(10), ...Array(6).fill(3000)];
  assert.equal(summarize(six)!.p95, 3000);
});

test('percentiles: zero samples is no data, under 59 insufficient', () => {
  assert.equal(summarize([]), null);
  assert.ok(Number.isNaN(percentile([], 0.5)));
  assert.equal(sufficiency(0), 'no-data');
  assert.equal(sufficiency(58), 'insufficient');
  assert.equal(sufficiency(59), 'ok');
});

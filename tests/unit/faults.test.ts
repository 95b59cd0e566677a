import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EveryNth, parseFaults } from '../../src/target/faults.ts';
import { UsageError } from '../../src/errors.ts';

test('faults: names, defaults and values parse', () => {
  assert.deepEqual(parseFaults('service-unavailable, high-error-rate=3,slow-responses'), {
    'service-unavailable': true,
    'high-error-rate': 3,
    'slow-responses': 2500,
  });
});

test('faults: every bad item is named', () => {
  assert.throws(() => parseFaults('nope,high-error-rate=300,bad-gateway=1'), (e: UsageError) => {
    return /unknown fault "nope"/.test(e.message) && /1-100 %/.test(e.message) && /takes no value/.test(e.message);
  });
});

test('faults: EveryNth hits exactly pct of every 100 calls', () => {
  for (const pct of [1, 3, 5, 10, 50, 100]) {
    const p = new EveryNth();
    let hits = 0;
    for (let i = 0; i < 100; i++) if (p.hit(pct)) hits++;
    assert.equal(hits, pct);
  }
});

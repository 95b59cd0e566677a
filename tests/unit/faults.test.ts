import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EveryNth, faultUsage, formatFaults, parseFaults } from '../../src/target/faults.ts';
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

test('faults: path and PATH:PERCENT values parse, print back and are refused with the expected shape', () => {
  const f = parseFaults('route-missing=/api/v1/sign,endpoint-error-rate=/api/v1/status:8,intermittent-500=3,health-database-unknown');
  assert.deepEqual(f, { 'route-missing': '/api/v1/sign', 'endpoint-error-rate': { path: '/api/v1/status', percent: 8 }, 'intermittent-500': 3, 'health-database-unknown': true });
  assert.equal(formatFaults(f), 'route-missing=/api/v1/sign,endpoint-error-rate=/api/v1/status:8,intermittent-500=3,health-database-unknown');
  assert.deepEqual(parseFaults(formatFaults(f)), f);
  assert.deepEqual(parseFaults('route-missing,endpoint-error-rate'), { 'route-missing': '/api/v1/sign', 'endpoint-error-rate': { path: '/api/v1/status', percent: 8 } });
  assert.throws(() => parseFaults('route-missing=api,endpoint-error-rate=/x:0,endpoint-error-rate=/x'), (e: UsageError) => {
    return /takes a path such as \/api\/v1\/sign, got "api"/.test(e.message) && /PATH:PERCENT .* got "\/x:0"/.test(e.message) && /got "\/x"/.test(e.message);
  });
  assert.equal(faultUsage('route-missing'), 'route-missing[=PATH]');
  assert.equal(faultUsage('endpoint-error-rate'), 'endpoint-error-rate[=PATH:PCT]');
  assert.equal(faultUsage('intermittent-500'), 'intermittent-500[=PCT]');
  assert.equal(faultUsage('health-database-unknown'), 'health-database-unknown');
});

test('faults: an unknown name gets "did you mean" for a near one, never the whole list', () => {
  const cases: [string, RegExp][] = [
    ['slow-respones', /^unknown fault "slow-respones": did you mean "slow-responses"\? \(every fault: credlink-checks drill --help\)$/],
    ['service-unavailble', /^unknown fault "service-unavailble": did you mean "service-unavailable"\?/],
    ['nonsense', /^unknown fault "nonsense" \(every fault: credlink-checks drill --help\)$/],
  ];
  for (const [name, expected] of cases) {
    assert.throws(() => parseFaults(name), (e: UsageError) => expected.test(e.message) && !/service-unavailable, /.test(e.message), name);
  }
});

// The statistics of `npm run bench`'s table (bench/report.mjs): the 95 % intervals its targets
// are read with, and when a verdict counts as settled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interval, median, row } from '../../bench/report.mjs';

const ratioOfMedians = (values, baselines) => median(values) / median(baselines);

test('the interval of a median lies within the samples and narrows as they agree', () => {
  const spread = [10, 12, 14, 16, 18, 20, 22, 24, 26];
  const [low, high] = interval(median, [spread]);
  assert.ok(low >= 10 && low < 18 && high > 18 && high <= 26, `${low}–${high}`);
  assert.deepEqual(interval(median, [[7, 7, 7, 7]]), [7, 7]);
});

test('the same samples always give the same interval', () => {
  const samples = [3.1, 2.2, 5.0, 1.9, 2.7, 4.4, 2.0];
  assert.deepEqual(interval(median, [samples]), interval(median, [samples]));
});

test('paired samples keep their pairs: a load that moves both sides alike does not widen the ratio', () => {
  // Each bare transfer ran beside a sendFile at 0.9 of its speed, under loads that differ widely.
  const bare = [12, 30, 18, 25, 9, 21, 27, 15, 33];
  const chat = bare.map((value) => value * 0.9);
  const [pairedLow, pairedHigh] = interval(ratioOfMedians, [chat, bare], { paired: true });
  assert.ok(Math.abs(pairedLow - 0.9) < 1e-9 && Math.abs(pairedHigh - 0.9) < 1e-9, `${pairedLow}–${pairedHigh}`);
  const [low, high] = interval(ratioOfMedians, [chat, bare]);
  assert.ok(low < 0.8 && high > 1, `independent draws: ${low}–${high}`);
});

test('a row is settled only when its target gives the same verdict across the interval', () => {
  const fast = { target: 'ratio ≥ 0.9', check: (value, ratio) => ratio >= 0.9 };
  const spanning = row({ metric: 'm', value: 22, unit: 'MB/s', baseline: 24, ...fast, interval: { of: 'ratio', bounds: [0.74, 1.02] } });
  assert.equal(spanning.pass, true);
  assert.equal(spanning.settled, false);
  assert.deepEqual(spanning.interval, { of: 'ratio', bounds: [0.74, 1.02] });
  const clear = row({ metric: 'm', value: 3.03, unit: 'ms', digits: 2, target: '< 2 ms', check: (value) => value < 2, interval: { of: 'value', bounds: [2.52, 3.34] } });
  assert.equal(clear.pass, false);
  assert.equal(clear.settled, true);
  const informative = row({ metric: 'm', value: 1, unit: 'ms' });
  assert.equal(informative.interval, null);
  assert.equal(informative.settled, null);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  iqm,
  iqmInterval,
  mean,
  meanInterval,
  pairwiseImprovement,
  probabilityOfImprovement,
  quantile,
  stratifiedBootstrap,
  pooled,
} from '../../src/bench/stats';
import { Rng } from '../../src/rl/rng';

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('mean and linear-interpolation quantiles match hand computation', () => {
  close(mean([1, 2, 3, 4]), 2.5);
  close(quantile([4, 1, 3, 2], 0.25), 1.75); // h = 3 * 0.25 = 0.75 between 1 and 2
  close(quantile([4, 1, 3, 2], 0), 1);
  close(quantile([4, 1, 3, 2], 1), 4);
  close(quantile([10, 20], 0.5), 15);
  assert.throws(() => mean([]), /empty list/);
  assert.throws(() => quantile([1], 1.5), /\[0, 1\]/);
});

test('IQM trims a quarter from each end when n is a multiple of 4', () => {
  close(iqm([8, 1, 7, 2, 6, 3, 5, 4]), (3 + 4 + 5 + 6) / 4);
  close(iqm([1, 2, 3, 1000]), 2.5); // outlier ignored
});

test('IQM weighs boundary scores fractionally when n is not a multiple of 4', () => {
  // n = 5: slices of 0.2; [0.25, 0.75] covers 0.15 of x(1), all of x(2), 0.15 of x(3).
  close(iqm([100, 1, 2, 3, 4]), 0.3 * 2 + 0.4 * 3 + 0.3 * 4);
  // n = 3: slices of 1/3; overlaps 1/12, 1/3, 1/12 → (1/12·1 + 1/3·2 + 1/12·10) / 0.5 = 19/6.
  close(iqm([10, 1, 2]), 19 / 6);
  close(iqm([7]), 7);
  close(iqm([2, 4]), 3);
});

test('probability of improvement counts pairs, ties as one half', () => {
  close(pairwiseImprovement([1, 2, 3], [2, 2]), 3 / 6);
  close(pairwiseImprovement([3, 4], [1, 3]), 3.5 / 4);
  const p = probabilityOfImprovement([[3, 4], [0]], [[1, 3], [1]], { reps: 200 });
  close(p.point, (0.875 + 0) / 2); // averaged over tasks with equal weight
  assert.ok(p.lower <= p.point && p.point <= p.upper);
  assert.throws(() => probabilityOfImprovement([[1]], [[1], [2]]), /same tasks/);
});

test('probability of improvement interval: clear separation gives [1, 1], identical runs give 0.5', () => {
  const better = probabilityOfImprovement([[10, 11, 12]], [[1, 2, 3]], { reps: 300 });
  assert.deepEqual(better, { point: 1, lower: 1, upper: 1 });
  const same = probabilityOfImprovement([[5, 5]], [[5, 5, 5]], { reps: 300 });
  assert.deepEqual(same, { point: 0.5, lower: 0.5, upper: 0.5 });
});

test('stratified bootstrap resamples within each task only', () => {
  // Task A has a single run (5), task B has runs 0 and 10. Resampling within tasks keeps
  // exactly one 5 in every replicate, so the pooled mean is one of 5/3, 5 or 25/3, each
  // extreme with probability 1/4: the 2.5% and 97.5% percentiles are the extremes.
  const ci = meanInterval([[5], [0, 10]], { reps: 2000, seed: 3 });
  close(ci.point, 5);
  close(ci.lower, 5 / 3);
  close(ci.upper, 25 / 3);
});

test('bootstrap is reproducible for a seed and varies across seeds', () => {
  const data = [[1, 5, 2, 8, 3], [10, 12, 9, 30]];
  const a = iqmInterval(data, { seed: 1, reps: 500 });
  const b = iqmInterval(data, { seed: 1, reps: 500 });
  const c = iqmInterval(data, { seed: 2, reps: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  close(a.point, iqm(pooled(data)));
  assert.ok(a.lower <= a.point && a.point <= a.upper);
});

test('95% interval of the mean covers the true mean about 95% of the time', () => {
  const rng = new Rng(42);
  let covered = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const xs = Array.from({ length: 20 }, () => rng.normal());
    const ci = stratifiedBootstrap([xs], (s) => mean(s[0]!), { reps: 400, seed: t });
    if (ci.lower <= 0 && 0 <= ci.upper) covered++;
  }
  // The percentile bootstrap under-covers a little at n = 20 (about 93%); a broken
  // resampler gives either ~100% (too wide) or far less.
  assert.ok(covered / trials > 0.85 && covered / trials < 0.99, `coverage ${covered / trials}`);
});

test('bad input is refused with a reason', () => {
  assert.throws(() => meanInterval([]), /no tasks/);
  assert.throws(() => meanInterval([[1], []]), /task 1 has no runs/);
  assert.throws(() => meanInterval([[1, Number.NaN]]), /non-finite/);
  assert.throws(() => meanInterval([[1]], { reps: 0 }), /positive integer/);
});

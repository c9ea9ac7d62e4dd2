// The webview's bounded series: spikes survive reduction, memory stays bounded, order holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReducedSeries, SeriesStore, type XY } from '../../webview/series-store';
import { groupOf } from '../../webview/metric-groups';
import { hyperparamSteps } from '../../webview/hyperparam-series';
import { formatChange, formatNumber } from '../../webview/format';

/**
 * The oracle for `ReducedSeries.drawn` (which runs it on typed arrays): largest-triangle-three-
 * buckets down to `samples` points (first and last kept), the same selection as Chart.js'
 * decimation plugin (`algorithm: 'lttb'`); a series at or under the budget comes back as a copy.
 */
function lttb(data: readonly XY[], samples: number): XY[] {
  const count = data.length;
  if (samples >= count || samples < 3) return data.slice();
  const out: XY[] = [data[0]!];
  const bucketWidth = (count - 2) / (samples - 2);
  let a = 0;
  for (let i = 0; i < samples - 2; i++) {
    const avgStart = Math.floor((i + 1) * bucketWidth) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * bucketWidth) + 1, count);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += data[j]!.x;
      avgY += data[j]!.y;
    }
    avgX /= avgEnd - avgStart;
    avgY /= avgEnd - avgStart;
    const from = Math.floor(i * bucketWidth) + 1;
    const to = Math.min(Math.floor((i + 1) * bucketWidth) + 1, count);
    const pa = data[a]!;
    let maxArea = -1;
    let next = from;
    for (let j = from; j < to; j++) {
      const p = data[j]!;
      const area = 0.5 * Math.abs((pa.x - avgX) * (p.y - pa.y) - (pa.x - p.x) * (avgY - pa.y));
      if (area > maxArea) {
        maxArea = area;
        next = j;
      }
    }
    out.push(data[next]!);
    a = next;
  }
  out.push(data[count - 1]!);
  return out;
}

test('ReducedSeries keeps every extreme of 200k points in at most 2·maxBuckets points, sorted by step', () => {
  const s = new ReducedSeries(500);
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < 200_000; i++) {
    const y = i === 123_456 ? 1e6 : i === 77 ? -1e6 : rnd();
    min = Math.min(min, y);
    max = Math.max(max, y);
    s.push(i, y);
  }
  const pts = s.points();
  assert.equal(s.count, 200_000);
  assert.ok(pts.length <= 1000, `${pts.length} points`);
  assert.ok(s.bucketSize >= 256);
  assert.equal(Math.min(...pts.map((p) => p.y)), min);
  assert.equal(Math.max(...pts.map((p) => p.y)), max);
  assert.ok(pts.some((p) => p.x === 123_456 && p.y === 1e6), 'the spike is kept at its own step');
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i]!.x >= pts[i - 1]!.x, 'sorted');
  // Every bucket's min and max are real points of the input.
  assert.ok(pts.every((p) => Number.isInteger(p.x)));
});

test('SeriesStore drops out-of-order points and hands out fresh arrays', () => {
  const st = new SeriesStore(100);
  assert.equal(st.append({ key: 'a', steps: [1, 2, 3], values: [1, 2, 3] }), 3);
  assert.equal(st.append({ key: 'a', steps: [2, 4], values: [9, 4] }), 1);
  assert.deepEqual(st.points('a').map((p) => p.x), [1, 2, 3, 4]);
  assert.notEqual(st.points('a'), st.points('a'));
  assert.deepEqual([...st.takeChanged()], ['a']);
  assert.deepEqual([...st.takeChanged()], []);
  assert.equal(st.lastStep(), 4);
});

test('drawn() picks what lttb() picks, into one reused array of reused points', () => {
  const st = new SeriesStore(300);
  let seed = 3;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let step = 0;
  let first: unknown;
  let firstPoint: unknown;
  // Short (under the budget), growing past the buckets (merges), flat runs and repeated steps.
  for (const n of [50, 400, 2_000, 30_000, 7]) {
    const steps: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 5) step += 10;
      steps.push(step);
      values.push(i % 97 < 20 ? 1 : rnd() * 100 - (i === 1234 ? 1e4 : 0));
    }
    st.append({ key: 'k', steps, values });
    for (const budget of [200, 1_000]) {
      const want = lttb(st.points('k'), budget).map((p) => [p.x, p.y]);
      const got = st.drawn('k', budget);
      assert.deepEqual(got.map((p) => [p.x, p.y]), want, `${n} points appended, budget ${budget}`);
      first ??= got;
      firstPoint ??= got[0];
      assert.equal(got, first, 'the same array each time');
      assert.equal(got[0], firstPoint, 'the same point objects each time');
    }
  }
  assert.deepEqual(st.drawn('none', 100), []);
});

test('metric groups, hyperparameter step lines and number formats', () => {
  assert.equal(groupOf('charts/episodic_return'), 'return');
  assert.equal(groupOf('losses/value_loss'), 'losses');
  assert.equal(groupOf('losses/approx_kl'), 'entropy');
  assert.equal(groupOf('charts/SPS'), 'other');
  const steps = hyperparamSteps('lr', [
    { version: 0, step: 0, values: { lr: 1 }, author: 'initial', reason: '' },
    { version: 1, step: 100, values: { lr: 1 }, author: 'user', reason: 'no change to lr' },
    { version: 2, step: 200, values: { lr: 0.5 }, author: 'copilot', reason: 'kl' },
  ], 300);
  assert.deepEqual(steps.map((p) => [p.x, p.y, p.change]), [[0, 1, true], [200, 0.5, true], [300, 0.5, false]]);
  assert.equal(formatNumber(0.00025), '2.5e-4');
  assert.equal(formatNumber(12345), '12,345');
  assert.equal(formatChange(0.0005, 0.00025), '×0.5');
  assert.equal(formatChange(0, 0.01), '+0.01');
});

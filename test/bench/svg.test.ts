import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, lineChart, logTicks, niceTicks } from '../../src/bench/svg';
import { xmlTagCounts } from './xml';

test('nice ticks are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 100000), [0, 20000, 40000, 60000, 80000, 100000]);
  assert.deepEqual(niceTicks(-500, -100), [-500, -400, -300, -200, -100]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(logTicks(2e-5, 3e-3), [1e-5, 1e-4, 1e-3, 1e-2]);
  assert.deepEqual([0, 100000, 2500000, 0.0003, 0.25, 475].map(formatTick), ['0', '100k', '2.5M', '3e-4', '0.25', '475']);
});

test('a chart is well-formed SVG with one line per series, bands, reference lines and a legend', () => {
  const svg = lineChart({
    title: 'CartPole <ppo> & "friends"',
    xLabel: 'env steps',
    yLabel: 'return',
    series: [
      { name: 'static', x: [1, 2, 3], y: [10, 20, 30], lower: [5, 15, 25], upper: [15, 25, 35] },
      { name: 'pbt', x: [1, 2, 3], y: [12, 22, Number.NaN] },
      { name: 'pbt', x: [1, 2, 3], y: [11, 21, 31], thin: true, hideInLegend: true },
    ],
    hlines: [{ y: 475, label: 'threshold' }],
  });
  const c = xmlTagCounts(svg);
  assert.equal(c['polyline.series'], 3);
  assert.equal(c['polygon.band'], 1);
  assert.equal(c['line.hline'], 1);
  assert.equal(c['text.legend'], 2);
  assert.ok(svg.includes('CartPole &lt;ppo&gt; &amp; &quot;friends&quot;'));
});

test('log axes drop non-positive values and step lines hold values until the next change', () => {
  const svg = lineChart({
    title: 'lr',
    xLabel: 'steps',
    yLabel: 'learning_rate',
    logY: true,
    series: [{ name: 'heuristic', x: [0, 100, 200], y: [1e-3, 0, 3e-4], step: true }],
  });
  const pts = /points="([^"]+)"/.exec(svg)![1]!.split(' ');
  // (0, 1e-3), hold to x=200, (200, 3e-4), hold to the right edge: 4 points; the 0 is skipped
  assert.equal(pts.length, 4);
  assert.equal(pts[0]!.split(',')[1], pts[1]!.split(',')[1]);
  assert.ok(xmlTagCounts(svg).svg === 1);
});

test('an empty chart still renders', () => {
  const c = xmlTagCounts(lineChart({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [] }));
  assert.equal(c.svg, 1);
  assert.equal(c['polyline.series'], undefined);
});

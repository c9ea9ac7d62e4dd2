import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeRunMetrics,
  episodesFromRecords,
  finalReturn,
  gridSteps,
  normalise,
  normalisedAuc,
  normalisedCurve,
  runningMeanCurve,
  stepsToThreshold,
  type EpisodePoint,
} from '../../src/bench/metrics';

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const ref = { random: 0, threshold: 10 };
// Deliberately out of order: metrics are sorted by step before use.
const eps: EpisodePoint[] = [
  { step: 40, return: 8 },
  { step: 10, return: 2 },
  { step: 90, return: 10 },
  { step: 30, return: 4 },
];

test('normalisation maps random to 0 and the threshold to 1, unclipped', () => {
  close(normalise(-300, { random: -500, threshold: -100 }), 0.5);
  close(normalise(500, { random: 22, threshold: 475 }), 478 / 453);
  assert.throws(() => normalise(0, { random: 5, threshold: 5 }), /threshold .* above random/);
});

test('the grid spans (0, budget] in equal steps', () => {
  assert.deepEqual(gridSteps(100, 4), [25, 50, 75, 100]);
  assert.throws(() => gridSteps(0, 4), /budget/);
});

test('running mean over the last `window` episodes at each grid step (hand-computed)', () => {
  // grid 25, 50, 75, 100; window 2:
  // 25 → [2]; 50 → last two of [2,4,8] = 6; 75 → 6; 100 → last two of [2,4,8,10] = 9
  assert.deepEqual(runningMeanCurve(eps, { budget: 100, points: 4, window: 2 }, -1), [2, 6, 6, 9]);
  assert.deepEqual(normalisedCurve(eps, ref, { budget: 100, points: 4, window: 2 }), [0.2, 0.6, 0.6, 0.9]);
  close(normalisedAuc(eps, ref, { budget: 100, points: 4, window: 2 }), (0.2 + 0.6 + 0.6 + 0.9) / 4);
});

test('before the first episode the curve sits at the random reference; after the last it carries on', () => {
  const late = [{ step: 30, return: 10 }];
  assert.deepEqual(runningMeanCurve(late, { budget: 100, points: 4 }, -7), [-7, 10, 10, 10]);
  close(normalisedAuc([], ref, { budget: 100, points: 10 }), 0);
});

test('AUC rewards learning earlier at equal final return', () => {
  const fast = [5, 15, 25, 35, 45].map((step) => ({ step, return: 10 }));
  const slow = [5, 15, 25, 35, 45].map((step, i) => ({ step: step + 50, return: i < 4 ? 0 : 10 }));
  const o = { budget: 100, points: 20, window: 1 };
  assert.ok(normalisedAuc(fast, ref, o) > normalisedAuc(slow, ref, o));
  assert.equal(finalReturn(fast, 100, { window: 1 }), finalReturn(slow, 100, { window: 1 }));
});

test('final return: episodes in the last 10% of the budget, else the last window', () => {
  close(finalReturn(eps, 100)!, 10); // only the episode at step 90
  close(finalReturn([...eps, { step: 95, return: 0 }], 100)!, 5);
  close(finalReturn(eps, 200, { window: 2 })!, 9); // none at ≥ 180: last two episodes (8, 10)
  assert.equal(finalReturn([], 100), null);
});

test('steps to threshold needs a full window whose mean reaches the threshold', () => {
  // window 2 means: (2,4)=3 at 30, (4,8)=6 at 40, (8,10)=9 at 90
  assert.equal(stepsToThreshold(eps, 6, 2), 40);
  assert.equal(stepsToThreshold(eps, 7, 2), 90);
  assert.equal(stepsToThreshold(eps, 9.5, 2), null);
  // one lucky early episode does not count without a full window
  assert.equal(stepsToThreshold([{ step: 5, return: 100 }], 50, 2), null);
});

test('computeRunMetrics gathers everything and passes the accounting through', () => {
  const m = computeRunMetrics(eps, ref, { budget: 100, wallSeconds: 3.5, controllerSeconds: 0.25, changes: 2, envSteps: 400 }, { points: 4, window: 2 });
  close(m.auc, 0.575);
  assert.equal(m.finalReturn, 10);
  close(m.finalScore!, 1);
  assert.equal(m.stepsToThreshold, null); // window means 3, 6, 9 never reach 10
  assert.equal(m.episodes, 4);
  assert.equal(m.envSteps, 400);
  assert.equal(m.evalReturn, null);
});

test('episodes are read from metric records of either shape, never counted twice', () => {
  const recs: unknown[] = [
    { step: 10, 'charts/episodic_return': 3, 'losses/value_loss': 1 },
    { step: 12, 'losses/value_loss': 0.5 },
    { type: 'metrics', step: 20, scalars: { 'charts/episodic_return': 4 } },
    { type: 'interval', step: 20, episodeReturns: [3, 4] },
    'garbage',
    null,
    { step: 'x', 'charts/episodic_return': 1 },
    { step: 30, 'charts/episodic_return': null },
  ];
  assert.deepEqual(episodesFromRecords(recs), [
    { step: 10, return: 3 },
    { step: 20, return: 4 },
  ]);
  assert.deepEqual(episodesFromRecords([{ type: 'interval', step: 50, episodeReturns: [1, 2] }]), [
    { step: 50, return: 1 },
    { step: 50, return: 2 },
  ]);
});

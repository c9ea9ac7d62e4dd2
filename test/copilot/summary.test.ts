import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingHistory, featureNames, fmt, renderSummaryText, slope, summaryFeatures } from '../../src/copilot/summary';
import { SPACE, interval } from './fixtures';

test('return statistics cover the window of the last intervals', () => {
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000, 2);
  h.push(interval(0, [10, 20]));
  h.push(interval(1, [30]));
  const s = h.push(interval(2, [40, 60]));
  // window = intervals 1 and 2 only
  assert.equal(s.returns.count, 3);
  assert.equal(s.returns.mean, (30 + 40 + 60) / 3);
  assert.equal(s.returns.min, 30);
  assert.equal(s.returns.max, 60);
  assert.ok(Math.abs(s.returns.std! - Math.sqrt(((30 - 130 / 3) ** 2 + (40 - 130 / 3) ** 2 + (60 - 130 / 3) ** 2) / 3)) < 1e-9);
  assert.equal(s.returns.bestSoFar, 50); // interval means: 15, 30, 50
  assert.equal(s.returns.lastInterval, 50);
  assert.equal(s.returns.episodesThisInterval, 2);
  assert.equal(s.returns.episodesTotal, 5);
  assert.ok(s.returns.slopePer1k! > 0, 'rising returns have a positive trend');
  assert.equal(s.progress, 0.3);
  assert.equal(s.step, 3000);
  assert.equal(s.sps, 2500);
});

test('the trend slope is least squares per 1k steps; flat and single points give 0/null', () => {
  assert.equal(slope([{ x: 0, y: 1 }, { x: 2, y: 5 }]), 2);
  assert.equal(slope([{ x: 0, y: 3 }, { x: 1, y: 3 }, { x: 2, y: 3 }]), 0);
  assert.equal(slope([{ x: 1, y: 1 }]), null);
  const h = new TrainingHistory('ppo', 'CartPole-v1', null, 5);
  h.push(interval(0, [10]));
  const s = h.push(interval(1, [20]));
  // episodes at steps 1000 and 2000: +10 per 1000 steps
  assert.ok(Math.abs(s.returns.slopePer1k! - 10) < 1e-9);
  assert.equal(s.progress, null);
});

test('diagnostics are picked from CleanRL-style keys, DQN and SAC ones included', () => {
  const h = new TrainingHistory('dqn', 'CartPole-v1');
  const s = h.push(interval(0, [], { diagnostics: { 'losses/q_values': 4.2, 'losses/td_error': 0.3, 'losses/alpha': 0.2, 'losses/grad_norm': 1.5, 'losses/explained_variance': 0.9 } }));
  assert.deepEqual(s.diagnostics, { qValues: 4.2, tdError: 0.3, alpha: 0.2, gradNorm: 1.5, explainedVariance: 0.9 });
  assert.equal(s.returns.mean, null);
});

test('the text rendering is deterministic and lists every part of the summary', () => {
  const mk = () => {
    const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
    h.push(interval(0, [21.5, 30]));
    h.noteDecision({ interval: 0, step: 1000, changes: { learning_rate: 1e-4 }, decidedBy: 'auto', returnBefore: 25.75, returnAfter: 40 });
    return renderSummaryText(h.push(interval(1, [40])));
  };
  const text = mk();
  assert.equal(text, mk());
  for (const part of ['algo: ppo', 'env: CartPole-v1', 'step 2000 of 100000 (2%)', 'steps/s', 'mean 30.5', 'trend', 'best interval mean so far 40', 'approxKl 0.01', 'valueLoss 12.5', 'learning_rate=3e-4', 'interval 0 (auto): learning_rate=1e-4; return 25.75 -> 40 (change 14.25)'])
    assert.ok(text.includes(part), `missing "${part}" in:\n${text}`);
  assert.equal(fmt(null), 'n/a');
  assert.equal(fmt(0.000123456), '1.235e-4');
});

test('the feature vector follows the documented layout and is finite', () => {
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  const s = h.push(interval(0, [10, 20], { values: { learning_rate: 1e-2, ent_coef: 0.05, clip_range: 0.2, n_epochs: 10, gamma: 0.99, n_envs: 8, normalize_advantage: true } }));
  const names = featureNames(SPACE);
  const f = summaryFeatures(s, SPACE);
  assert.equal(f.length, names.length);
  assert.ok(f.every(Number.isFinite));
  assert.equal(f[names.indexOf('progress')], 0.1);
  assert.equal(f[names.indexOf('hp_learning_rate')], 1); // at its max
  assert.ok(Math.abs(f[names.indexOf('hp_ent_coef')]! - 0.5) < 1e-12);
  assert.equal(f[names.indexOf('hp_normalize_advantage')], 1);
  assert.equal(f[names.indexOf('has_approxKl')], 1);
  assert.equal(f[names.indexOf('has_qValues')], 0);
  assert.equal(f[names.indexOf('return_mean')], Math.log1p(15));
});

test('scale-free features do not change when every return is scaled and shifted (CartPole-like vs Acrobot-like rewards)', () => {
  const names = featureNames(SPACE);
  const rel = ['has_rel', 'rel_improvement', 'rel_trend', 'rel_vs_best', 'rel_last', 'entropy_ratio'];
  const run = (f: (r: number) => number): number[] => {
    const h = new TrainingHistory('ppo', 'X', 10_000);
    const entropy = (e: number) => ({ diagnostics: { 'losses/entropy': e, 'losses/approx_kl': 0.01 } });
    h.push(interval(0, [10, 30, 20].map(f), entropy(0.69)));
    h.push(interval(1, [60, 20, 40].map(f), entropy(0.6)));
    h.push(interval(2, [90, 50].map(f), entropy(0.55)));
    const s = h.push(interval(3, [70, 110, 40].map(f), entropy(0.5)));
    const v = summaryFeatures(s, SPACE);
    return rel.map((n) => v[names.indexOf(n)]!);
  };
  const a = run((r) => r);
  const b = run((r) => 3 * r - 700); // negative returns, another scale
  assert.equal(a[0], 1);
  assert.ok(a[1]! > 0 && a[2]! > 0, `improving returns read as improving: ${a}`);
  assert.ok(Math.abs(a[5]! - Math.log1p(0.5 / 0.69)) < 1e-12, 'entropy as a fraction of the first');
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-9, `${rel[i]}: ${x} vs ${b[i]}`));
  // The raw return features do change: that is why a model meant for other envs leaves them out.
  const raw = (f: (r: number) => number) => {
    const h = new TrainingHistory('ppo', 'X', 10_000);
    return summaryFeatures(h.push(interval(0, [10, 30].map(f))), SPACE)[names.indexOf('return_mean')];
  };
  assert.notEqual(raw((r) => r), raw((r) => 3 * r - 700));
});

test('before any episode has finished the scale-free return features are 0 with has_rel 0', () => {
  const names = featureNames(SPACE);
  const h = new TrainingHistory('ppo', 'Acrobot-v1', 100_000);
  const s = h.push(interval(0, []));
  const v = summaryFeatures(s, SPACE);
  assert.equal(v.length, names.length);
  assert.ok(v.every(Number.isFinite));
  for (const n of ['has_rel', 'rel_improvement', 'rel_trend', 'rel_vs_best', 'rel_last']) assert.equal(v[names.indexOf(n)], 0, n);
  assert.equal(v[names.indexOf('entropy_ratio')], Math.log1p(1), 'the first entropy is its own baseline');
  // All episodes failing alike (a spread of 0) stays finite: the spread is floored.
  const flat = h.push(interval(1, [-500, -500, -500]));
  assert.ok(summaryFeatures(flat, SPACE).every(Number.isFinite));
  assert.deepEqual(flat.baseline, { returnMean: -500, returnStd: 0, entropy: 0.68 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperparamSpec } from '../../src/shared/hyperparams';
import { Rng } from '../../src/rl/rng';
import { perturbValue, perturbValues, perturbableParams } from '../../src/bench/perturb';
import { exploitExplore, replacedCount } from '../../src/bench/pbt';
import { bestCandidate, oracleCandidates } from '../../src/bench/oracle';
import { searchSpace } from '../../src/bench/job';

const space: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1e-2, scale: 'log', mutable: true, description: '' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 1, scale: 'linear', mutable: true, description: '' },
  { name: 'gamma', type: 'float', default: 0.99, min: 0, max: 0.9999, scale: 'linear', mutable: true, description: '' },
  { name: 'n_epochs', type: 'int', default: 10, min: 1, max: 100, scale: 'linear', mutable: true, description: '' },
  { name: 'n_envs', type: 'int', default: 8, min: 1, max: 64, scale: 'log', mutable: false, description: '' },
  { name: 'net_arch', type: 'choice', default: '64-64', choices: ['64-64'], scale: 'linear', mutable: false, description: '' },
];
const spec = (n: string): HyperparamSpec => space.find((s) => s.name === n)!;

test('perturbable parameters: mutable numeric ones only; naming another is an error', () => {
  assert.deepEqual(perturbableParams(space), ['learning_rate', 'ent_coef', 'gamma']); // the default list ∩ space
  assert.deepEqual(perturbableParams(space, ['n_epochs']), ['n_epochs']);
  assert.throws(() => perturbableParams(space, ['n_envs']), /only mutable numeric/);
  assert.throws(() => perturbableParams(space, ['lr']), /no such hyperparameter/);
});

test('perturbing: multiply, clip to bounds, round ints, leave zero upward, discount-like by distance to 1', () => {
  assert.equal(perturbValue(spec('learning_rate'), 1e-3, 2), 2e-3);
  assert.equal(perturbValue(spec('learning_rate'), 8e-3, 2), 1e-2);
  assert.equal(perturbValue(spec('n_epochs'), 10, 1.25), 13); // 12.5 rounds to 13
  assert.equal(perturbValue(spec('ent_coef'), 0, 1.25), 0.01);
  assert.equal(perturbValue(spec('ent_coef'), 0, 0.8), 0);
  assert.ok(Math.abs(perturbValue(spec('gamma'), 0.99, 2) - 0.98) < 1e-12); // horizon halves
  assert.ok(Math.abs(perturbValue(spec('gamma'), 0.99, 0.5) - 0.995) < 1e-12);
  const v = perturbValues({ learning_rate: 1e-3, ent_coef: 0.1, gamma: 0.99 }, space, ['learning_rate', 'ent_coef'], [0.8, 1.25], new Rng(1));
  assert.equal(v.gamma, 0.99);
  for (const k of ['learning_rate', 'ent_coef'] as const) {
    const base = k === 'learning_rate' ? 1e-3 : 0.1;
    const r = (v[k] as number) / base;
    assert.ok(Math.abs(r - 0.8) < 1e-9 || Math.abs(r - 1.25) < 1e-9, `${k} ratio ${r}`);
  }
});

test('PBT: the bottom quantile copies from the top quantile and perturbs', () => {
  assert.deepEqual([2, 4, 5, 8, 10].map((n) => replacedCount(n, 0.25)), [1, 1, 1, 2, 2]);
  assert.equal(replacedCount(2, 0.5), 1);
  const members = [
    { member: 0, score: 50, values: { learning_rate: 1e-3 } },
    { member: 1, score: 400, values: { learning_rate: 2e-3 } },
    { member: 2, score: null, values: { learning_rate: 5e-3 } },
    { member: 3, score: 300, values: { learning_rate: 4e-4 } },
  ];
  const steps = exploitExplore(members, { quantile: 0.5, perturb: [0.8, 1.25] }, space, ['learning_rate'], new Rng(0));
  // top two: 1 (400) and 3 (300); bottom two: 0 (50) and 2 (no episode yet: last)
  assert.deepEqual(steps.map((s) => s.member).sort(), [0, 2]);
  for (const s of steps) {
    assert.ok([1, 3].includes(s.copyFrom));
    const src = members.find((m) => m.member === s.copyFrom)!.values.learning_rate;
    const r = (s.values.learning_rate as number) / src;
    assert.ok(Math.abs(r - 0.8) < 1e-9 || Math.abs(r - 1.25) < 1e-9);
  }
  assert.deepEqual(exploitExplore([members[0]!], { quantile: 0.5, perturb: [0.8, 1.25] }, space, ['learning_rate'], new Rng(0)), []);
});

test('oracle: the current values first, then distinct one-parameter updates; ties keep the current', () => {
  const values = { learning_rate: 1e-3, ent_coef: 0.01, gamma: 0.99, n_epochs: 10, n_envs: 8, net_arch: '64-64' };
  const c = oracleCandidates(values, space, ['learning_rate', 'ent_coef', 'gamma'], 4, new Rng(5));
  assert.equal(c.length, 4);
  assert.deepEqual(c[0], values);
  assert.equal(new Set(c.map((x) => JSON.stringify(x))).size, 4);
  for (const x of c.slice(1)) {
    const changed = Object.keys(values).filter((k) => x[k] !== values[k as keyof typeof values]);
    assert.equal(changed.length, 1, JSON.stringify(x));
  }
  assert.equal(bestCandidate([10, 12, 12, null]), 1);
  assert.equal(bestCandidate([5, 5, 3]), 0);
  assert.equal(bestCandidate([null, Number.NaN, -1]), 2);
});

test('the search may name any parameter, mutable or not; by default the perturbable ones', () => {
  assert.deepEqual(searchSpace(space).map((s) => s.name), ['learning_rate', 'ent_coef', 'gamma']);
  assert.deepEqual(searchSpace(space, ['n_envs', 'net_arch']).map((s) => s.name), ['n_envs', 'net_arch']);
  assert.throws(() => searchSpace(space, ['lr']), /no such hyperparameter/);
});

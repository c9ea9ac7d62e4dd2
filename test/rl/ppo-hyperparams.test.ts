// One test per mutable PPO hyperparameter: set it mid-run and show that the next update uses it.
// Most use a "twin": two runs with the same seed are identical until one of them gets the new
// value, so any difference after that comes from the value alone.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/rl/backend';
import { Ppo, PPO_SPACE } from '../../src/rl/algos/ppo';
import type { HyperparamValues } from '../../src/shared/hyperparams';

const SMALL: HyperparamValues = { n_envs: 2, n_steps: 16, batch_size: 16, n_epochs: 2, net_arch: '16-16', learning_rate: 3e-3 };

function make(values: HyperparamValues = {}, seed = 1, envId = 'CartPole-v1'): Ppo {
  return new Ppo({ envId, values: { ...SMALL, ...values }, seed, totalSteps: 10_000 });
}

/** Two identical runs after `warm` iterations. */
async function twins(values: HyperparamValues = {}, warm = 1): Promise<[Ppo, Ppo]> {
  const a = make(values);
  const b = make(values);
  for (let i = 0; i < warm; i++) {
    await a.iterate();
    await b.iterate();
  }
  assert.deepEqual(Array.from(a.params), Array.from(b.params), 'twins must be identical before the set');
  return [a, b];
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

before(async () => {
  await initBackend('cpu');
});

test('every mutable PPO hyperparameter has a test below', () => {
  const tested = ['learning_rate', 'lr_schedule', 'n_steps', 'batch_size', 'n_epochs', 'gamma', 'gae_lambda', 'clip_range', 'clip_range_schedule', 'clip_range_vf', 'normalize_advantage', 'ent_coef', 'vf_coef', 'max_grad_norm', 'target_kl'];
  assert.deepEqual(PPO_SPACE.filter((p) => p.mutable).map((p) => p.name).sort(), tested.sort());
});

test('learning_rate: the next update steps with the new rate', async () => {
  const [a, b] = await twins();
  const before = b.params.slice();
  b.set({ learning_rate: 1e-6 });
  const sa = await a.iterate();
  const sb = await b.iterate();
  assert.equal(sb.stats['charts/learning_rate'], 1e-6);
  assert.equal(sa.stats['charts/learning_rate'], 3e-3);
  // Adam moves each weight by at most ~lr per step (4 steps here)
  assert.ok(maxAbsDiff(before, b.params) < 1e-4, `moved ${maxAbsDiff(before, b.params)}`);
  assert.ok(maxAbsDiff(before, a.params) > 1e-3);
});

test('lr_schedule: linear scales the base rate by the remaining budget', async () => {
  const p = make();
  await p.iterate();
  p.set({ lr_schedule: 'linear', learning_rate: 2e-3 });
  const stepAtUpdate = p.globalStep + 32; // the rollout comes first
  const s = await p.iterate();
  assert.ok(Math.abs(s.stats['charts/learning_rate']! - 2e-3 * (1 - stepAtUpdate / 10_000)) < 1e-12);
});

test('n_steps: the next rollout has the new length', async () => {
  const p = make();
  assert.equal((await p.iterate()).envSteps, 32);
  p.set({ n_steps: 8 });
  const s = await p.iterate();
  assert.equal(s.envSteps, 16);
  assert.equal(p.lastRollout()!.nSteps, 8);
});

test('batch_size: the number of minibatches follows it', async () => {
  const p = make();
  assert.equal((await p.iterate()).stats['train/updates'], 2 * 2); // 32 samples / 16, 2 epochs
  p.set({ batch_size: 8 });
  assert.equal((await p.iterate()).stats['train/updates'], 2 * 4);
});

test('n_epochs: the number of passes follows it', async () => {
  const p = make();
  await p.iterate();
  p.set({ n_epochs: 5 });
  const s = await p.iterate();
  assert.equal(s.stats['train/epochs'], 5);
  assert.equal(s.stats['train/updates'], 5 * 2);
});

test('gamma: 0 makes the returns the immediate rewards', async () => {
  const p = make();
  await p.iterate();
  p.set({ gamma: 0 });
  await p.iterate();
  const r = p.lastRollout()!;
  for (let i = 0; i < r.returns.length; i++) assert.ok(Math.abs(r.returns[i]! - r.rewards[i]!) < 1e-5, `return ${r.returns[i]} vs reward ${r.rewards[i]}`);
});

test('gae_lambda: 0 makes the advantages one-step TD errors', async () => {
  const p = make({ gamma: 0.9 });
  await p.iterate();
  p.set({ gae_lambda: 0 });
  await p.iterate();
  const r = p.lastRollout()!;
  const N = r.nEnvs;
  for (let t = 0; t < r.nSteps - 1; t++)
    for (let i = 0; i < N; i++) {
      const row = t * N + i;
      const next = r.dones[row] ? 0 : 0.9 * r.values[row + N]!;
      const td = r.rewards[row]! + 0.9 * r.truncValue[row]! + next - r.values[row]!;
      assert.ok(Math.abs(r.advantages[row]! - td) < 1e-5, `t=${t} i=${i}: ${r.advantages[row]} vs ${td}`);
    }
});

test('clip_range: a tiny range clips most ratios at the next update', async () => {
  const [a, b] = await twins();
  b.set({ clip_range: 0.001 });
  const sa = await a.iterate();
  const sb = await b.iterate();
  assert.equal(sb.stats['charts/clip_range'], 0.001);
  assert.ok(sb.stats['losses/clipfrac']! > sa.stats['losses/clipfrac']! + 0.1, `clipfrac ${sb.stats['losses/clipfrac']} vs ${sa.stats['losses/clipfrac']}`);
});

test('clip_range_schedule: linear scales the base clip range by the remaining budget', async () => {
  const p = make();
  await p.iterate();
  p.set({ clip_range_schedule: 'linear', clip_range: 0.3 });
  const stepAtUpdate = p.globalStep + 32;
  const s = await p.iterate();
  assert.ok(Math.abs(s.stats['charts/clip_range']! - 0.3 * (1 - stepAtUpdate / 10_000)) < 1e-12);
});

test('clip_range_vf: the value prediction stays within the range of the old values', async () => {
  const p = make();
  await p.iterate();
  p.set({ clip_range_vf: 1e-6 });
  const s = await p.iterate();
  const r = p.lastRollout()!;
  // every prediction is clipped to old ± 1e-6, so the loss is the old values' error
  let mse = 0;
  for (let i = 0; i < r.values.length; i++) mse += (r.values[i]! - r.returns[i]!) ** 2;
  mse /= r.values.length;
  assert.ok(Math.abs(s.stats['losses/value_loss']! - mse) < 1e-3 * Math.max(1, mse), `${s.stats['losses/value_loss']} vs ${mse}`);
  const [a] = await twins();
  const sa = await a.iterate();
  assert.notEqual(sa.stats['losses/value_loss'], s.stats['losses/value_loss']);
});

test('normalize_advantage: off leaves the raw advantages in the surrogate', async () => {
  // One epoch of one minibatch: the ratio is 1, so the policy loss is −mean(advantage):
  // 0 when normalised, −mean(raw) when not.
  const p = make({ n_epochs: 1, batch_size: 32 });
  const on = await p.iterate();
  assert.ok(Math.abs(on.stats['losses/policy_loss']!) < 1e-4, `normalised: ${on.stats['losses/policy_loss']}`);
  p.set({ normalize_advantage: false });
  const off = await p.iterate();
  const r = p.lastRollout()!;
  const meanAdv = r.advantages.reduce((x, y) => x + y, 0) / r.advantages.length;
  assert.ok(Math.abs(off.stats['losses/policy_loss']! + meanAdv) < 1e-3 * Math.max(1, Math.abs(meanAdv)), `${off.stats['losses/policy_loss']} vs ${-meanAdv}`);
  assert.ok(Math.abs(meanAdv) > 1e-2);
});

test('ent_coef: the loss uses the new coefficient and the policy keeps more entropy', async () => {
  const [a, b] = await twins();
  b.set({ ent_coef: 0.5 });
  await a.iterate();
  const sb = await b.iterate();
  const expected = sb.stats['losses/policy_loss']! - 0.5 * sb.stats['losses/entropy']! + 0.5 * sb.stats['losses/value_loss']!;
  assert.ok(Math.abs(sb.stats['losses/loss']! - expected) < 1e-9);
  const na = await a.iterate();
  const nb = await b.iterate();
  assert.ok(nb.stats['losses/entropy']! > na.stats['losses/entropy']!, `entropy ${nb.stats['losses/entropy']} vs ${na.stats['losses/entropy']}`);
});

test('vf_coef: the loss uses the new coefficient', async () => {
  const [a, b] = await twins();
  b.set({ vf_coef: 2 });
  const sa = await a.iterate();
  const sb = await b.iterate();
  const expected = sb.stats['losses/policy_loss']! + 2 * sb.stats['losses/value_loss']!;
  assert.ok(Math.abs(sb.stats['losses/loss']! - expected) < 1e-9);
  assert.ok(maxAbsDiff(a.params, b.params) > 0);
  assert.notEqual(sa.stats['losses/loss'], sb.stats['losses/loss']);
});

test('max_grad_norm: the applied gradient is clipped to the new norm', async () => {
  const p = make();
  await p.iterate();
  p.set({ max_grad_norm: 0.001 });
  const s = await p.iterate();
  assert.ok(s.stats['losses/grad_norm']! > 0.001);
  assert.ok(s.stats['losses/clipped_grad_norm']! <= 0.001 + 1e-12);
});

test('target_kl: a tiny target stops the epochs early', async () => {
  const p = make({ n_epochs: 5 });
  const full = await p.iterate();
  assert.equal(full.stats['train/updates'], 10);
  assert.equal(full.stats['train/early_stop'], 0);
  p.set({ target_kl: 1e-9 });
  const s = await p.iterate();
  assert.equal(s.stats['train/early_stop'], 1);
  assert.ok(s.stats['train/updates']! < 10);
});

test('immutable and unknown hyperparameters are refused with the reason', () => {
  const p = make();
  assert.throws(() => p.set({ n_envs: 4 }), /n_envs cannot change during a run/);
  assert.throws(() => p.set({ net_arch: '64-64' }), /net_arch cannot change/);
  assert.throws(() => p.set({ learning_rat: 1 }), /unknown hyperparameter "learning_rat"/);
  assert.throws(() => p.set({ gamma: 2 }), /gamma = 2 is above its maximum/);
  assert.equal(p.values().gamma, 0.99);
});

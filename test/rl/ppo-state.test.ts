// PPO's whole-state properties: determinism, checkpoint/restore equivalence (through real
// checkpoint folders on disk), no tensor leaks, truncation bootstrapping, continuous actions.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTf, initBackend } from '../../src/rl/backend';
import { Ppo } from '../../src/rl/algos/ppo';
import { LOG_STD_MAX } from '../../src/rl/algos/gaussian';
import { createAlgorithm } from '../../src/rl/algos/index';
import { readCheckpoint, writeCheckpoint } from '../../src/rl/checkpoint';
import type { HyperparamValues } from '../../src/shared/hyperparams';
import type { Algorithm } from '../../src/rl/algos/types';

const SMALL: HyperparamValues = { n_envs: 2, n_steps: 16, batch_size: 16, n_epochs: 2, net_arch: '16-16', learning_rate: 3e-3 };

before(async () => {
  await initBackend('cpu');
});

async function run(p: Algorithm, iterations: number): Promise<number[]> {
  const returns: number[] = [];
  for (let i = 0; i < iterations; i++) for (const e of (await p.iterate()).episodes) returns.push(e.return);
  return returns;
}

test('same seed and backend give the same returns and weights', async () => {
  const a = new Ppo({ envId: 'CartPole-v1', values: SMALL, seed: 7, totalSteps: 5000 });
  const b = new Ppo({ envId: 'CartPole-v1', values: SMALL, seed: 7, totalSteps: 5000 });
  const ra = await run(a, 6);
  const rb = await run(b, 6);
  assert.ok(ra.length > 3);
  assert.deepEqual(ra, rb);
  assert.deepEqual(Array.from(a.params), Array.from(b.params));
  const c = new Ppo({ envId: 'CartPole-v1', values: SMALL, seed: 8, totalSteps: 5000 });
  assert.notDeepEqual(await run(c, 6), ra);
});

for (const [envId, extra] of [
  ['CartPole-v1', { lr_schedule: 'linear' }],
  ['Pendulum-v1', { normalize_obs: true, clip_range_schedule: 'linear' }],
] as const) {
  test(`stop, restore in a fresh instance, continue = uninterrupted (${envId})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hp-ppo-ckpt-'));
    try {
      const values = { ...SMALL, ...extra };
      const opts = { values, seed: 3, totalSteps: 4000, envOptions: { maxEpisodeSteps: 40 } };
      const straight = new Ppo({ envId, ...opts });
      const r1 = await run(straight, 3);
      await writeCheckpoint(join(dir, 'ck'), await straight.checkpoint());
      const r2 = await run(straight, 3);

      const resumed = new Ppo({ envId, ...opts, seed: 999 }); // a different seed: everything must come from the checkpoint
      await resumed.restore(await readCheckpoint(join(dir, 'ck')));
      assert.equal(resumed.globalStep, straight.globalStep - 3 * 32);
      const r2b = await run(resumed, 3);
      assert.ok(r1.length + r2.length > 2, 'episodes should finish (time limit 40)');
      assert.deepEqual(r2b, r2);
      assert.deepEqual(Array.from(resumed.params), Array.from(straight.params));
      assert.equal(resumed.globalStep, straight.globalStep);
      assert.deepEqual(resumed.values(), straight.values());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('a checkpoint with different network values is refused with the reason', async () => {
  const a = new Ppo({ envId: 'CartPole-v1', values: SMALL, seed: 1 });
  const b = new Ppo({ envId: 'CartPole-v1', values: { ...SMALL, net_arch: '32-32' }, seed: 1 });
  await assert.rejects(b.restore(await a.checkpoint()), /net_arch = 16-16, this run has 32-32/);
});

test('tf.memory().numTensors stays flat over 100 updates', async () => {
  const tf = getTf();
  const p = new Ppo({ envId: 'CartPole-v1', values: { ...SMALL, n_epochs: 5, batch_size: 16 }, seed: 2 });
  await p.iterate();
  const before = tf.memory().numTensors;
  let updates = 0;
  while (updates < 100) updates += (await p.iterate()).stats['train/updates']!;
  assert.equal(tf.memory().numTensors, before);
});

test('a time-limit cut bootstraps the value of the final observation', async () => {
  const p = new Ppo({ envId: 'Pendulum-v1', values: { ...SMALL, n_envs: 1, n_steps: 30, gamma: 0.9 }, seed: 4, envOptions: { maxEpisodeSteps: 10 } });
  await p.iterate();
  const r = p.lastRollout()!;
  let cuts = 0;
  for (let t = 0; t < r.nSteps; t++) {
    if ((t + 1) % 10 === 0) {
      cuts++;
      assert.equal(r.dones[t], 1);
      assert.notEqual(r.truncValue[t], 0);
      // the episode ended, but the cut step's target still includes gamma·V(final obs)
      const td = r.rewards[t]! + 0.9 * r.truncValue[t]! - r.values[t]!;
      assert.ok(Math.abs(r.advantages[t]! - td) < 1e-4, `t=${t}: ${r.advantages[t]} vs ${td}`);
    } else {
      assert.equal(r.dones[t], 0);
      assert.equal(r.truncValue[t], 0);
    }
  }
  assert.equal(cuts, 3);
});

test('continuous PPO: Gaussian policy trains, log_std moves, actions are clipped to the box', async () => {
  const p = new Ppo({ envId: 'Pendulum-v1', values: { ...SMALL, log_std_init: -0.5 }, seed: 5 });
  const nNet = p.params.length - 1;
  assert.equal(p.params[nNet], -0.5);
  const s = await p.iterate();
  for (const k of ['losses/policy_loss', 'losses/value_loss', 'losses/entropy', 'losses/approx_kl']) assert.ok(Number.isFinite(s.stats[k]), k);
  assert.notEqual(p.params[nNet], -0.5);
  const a = p.act([1, 0, 8]);
  assert.ok(Array.isArray(a) && a.length === 1 && a[0]! >= -2 && a[0]! <= 2);
});

test('createAlgorithm layers defaults, the env preset and the caller values', () => {
  const p = createAlgorithm('ppo', 'CartPole-v1', { values: { n_epochs: 3 }, seed: 1, nEnvs: 2 });
  const v = p.values();
  assert.equal(v.n_steps, 32); // zoo preset
  assert.equal(v.lr_schedule, 'linear');
  assert.equal(v.n_epochs, 3); // caller
  assert.equal(v.n_envs, 2); // nEnvs
  assert.equal(v.vf_coef, 0.5); // space default
  assert.throws(() => createAlgorithm('ppo', 'NoSuchEnv-v0', {}), /unknown environment "NoSuchEnv-v0"; valid ids: CartPole-v1/);
  assert.throws(() => createAlgorithm('ppo', 'CartPole-v1', { values: { nope: 1 } }), /unknown hyperparameter "nope"/);
});

test('continuous PPO: a huge entropy bonus at a huge rate keeps log_std at its bound instead of overflowing into NaN actions', async () => {
  // What the bench saw on Pendulum: ent_coef 0.5 with learning_rate 0.009-0.027 made every action NaN.
  const p = new Ppo({ envId: 'Pendulum-v1', values: { ...SMALL, ent_coef: 0.5, learning_rate: 0.05, n_epochs: 10, batch_size: 8 }, seed: 3 });
  const nNet = p.params.length - 1;
  for (let i = 0; i < 8; i++) {
    const s = await p.iterate();
    assert.equal(s.stats['train/skipped_nonfinite'], 0);
  }
  assert.equal(p.params[nNet], LOG_STD_MAX, 'pushed to the upper bound, not past it');
  assert.ok(Array.from(p.params).every(Number.isFinite));
  const a = p.act([1, 0, 8]) as number[];
  assert.ok(Number.isFinite(a[0]) && a[0]! >= -2 && a[0]! <= 2);
});

test('PPO: a non-finite gradient step is skipped, and an update whose every step is non-finite ends in words', async () => {
  const p = new Ppo({ envId: 'CartPole-v1', values: SMALL, seed: 2 });
  await p.iterate();
  // Poison one parameter: every forward pass, hence every gradient, becomes NaN.
  p.params[0] = NaN;
  await assert.rejects(p.iterate(), /PPO's gradient was not finite \(NaN or infinite\) in every one of the \d+ minibatches of this update: training diverged \(learning_rate .*Lower learning_rate or ent_coef and resume from an earlier checkpoint/);
});

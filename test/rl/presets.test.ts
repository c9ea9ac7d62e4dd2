import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listPresets, presetFor } from '../../src/rl/presets';
import { ALGORITHMS, resolveValues } from '../../src/rl/algos/index';
import { envIds } from '../../src/rl/envs/index';
import { checkValues } from '../../src/shared/hyperparams';

test('every preset names known keys with valid values for its algorithm', () => {
  const checked: string[] = [];
  for (const { env, algo } of listPresets()) {
    assert.ok(envIds().includes(env), `preset for unknown env ${env}`);
    const entry = ALGORITHMS[algo];
    if (!entry) continue; // algorithm not in this build
    const r = checkValues(entry.space, presetFor(env, algo).values);
    assert.ok(r.ok, `${algo} on ${env}: ${r.ok ? '' : r.error}`);
    resolveValues(algo, env);
    checked.push(`${algo}/${env}`);
  }
  assert.ok(checked.includes('ppo/CartPole-v1'));
});

test('the PPO CartPole preset is the zoo\'s tuned one', () => {
  const v = resolveValues('ppo', 'CartPole-v1');
  assert.deepEqual(
    [v.n_envs, v.n_steps, v.batch_size, v.n_epochs, v.gamma, v.gae_lambda, v.learning_rate, v.lr_schedule, v.clip_range, v.clip_range_schedule, v.ent_coef],
    [8, 32, 256, 20, 0.98, 0.8, 1e-3, 'linear', 0.2, 'linear', 0],
  );
  assert.equal(presetFor('CartPole-v1', 'ppo').totalSteps, 100_000);
  assert.equal(presetFor('CartPole-v1', 'dqn').values.train_freq, 256);
});

test('an env without a tuned preset falls back to the algorithm defaults', () => {
  const p = presetFor('Pendulum-v1', 'dqn');
  assert.deepEqual(p.values, {});
  assert.match(p.source, /defaults/);
});

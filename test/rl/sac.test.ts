// SAC on the real Pendulum env with tiny networks and budgets, cpu backend. One test per
// mutable hyperparameter proves it takes effect at the next step or update.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sac, squash } from '../../src/rl/algos/sac';
import { Mlp } from '../../src/rl/nn';
import { Rng } from '../../src/rl/rng';
import { createAlgorithm } from '../../src/rl/algos';
import { getTf, initBackend } from '../../src/rl/backend';
import type { HyperparamValues } from '../../src/shared/hyperparams';

before(async () => {
  await initBackend('cpu');
});

const SMALL: HyperparamValues = { net_arch: '32-32', batch_size: 16, learning_starts: 30, buffer_size: 1000, learning_rate: 1e-3 };

function make(values: HyperparamValues = {}, seed = 1, envId = 'Pendulum-v1', maxEpisodeSteps?: number): Sac {
  return new Sac({ envId, envOptions: maxEpisodeSteps ? { maxEpisodeSteps } : undefined, seed, totalSteps: 1000, values: { ...SMALL, ...values } });
}

async function run(a: Sac, iterations: number): Promise<Record<string, number>> {
  let stats: Record<string, number> = {};
  for (let i = 0; i < iterations; i++) {
    const r = await a.iterate();
    if (Object.keys(r.stats).length) stats = r.stats;
  }
  return stats;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('random actions in the Box until learning_starts, then updates with CleanRL-keyed stats', async () => {
  const a = make();
  assert.deepEqual(await run(a, 30), {});
  const stats = await run(a, 5);
  for (const k of ['losses/qf_loss', 'losses/actor_loss', 'losses/alpha', 'losses/alpha_loss', 'losses/qf1_values', 'charts/learning_rate']) assert.ok(Number.isFinite(stats[k]), k);
  assert.equal(a.updates, 5);
  const act = a.act([1, 0, 0]);
  assert.ok(typeof act === 'number' && act >= -2 && act <= 2, `deterministic action ${String(act)} within Pendulum's [-2, 2]`);
  a.dispose();
});

test('stored actions are in [-1, 1] and scaled to the Box for the env (MountainCarContinuous)', async () => {
  const a = make({ learning_starts: 1000 }, 2, 'MountainCarContinuous-v0');
  await run(a, 50);
  const ck = await a.checkpoint({ includeReplayBuffer: true });
  const acts = (ck.arrays['replay/actions'] as Float32Array).slice(0, 50);
  assert.ok(acts.every((x) => x >= -1 && x <= 1));
  assert.ok(Math.max(...acts) > 0.5 && Math.min(...acts) < -0.5, 'uniform over the whole range');
  assert.throws(() => make({}, 1, 'CartPole-v1'), /sac needs a continuous \(Box\) action space/);
  a.dispose();
});

test('the actor gradient (reparameterised, tanh-corrected, through the critics) matches finite differences', async () => {
  const a = make({ ent_coef_auto: false, ent_coef: 0.2, log_std_init: -0.5 });
  await run(a, 40); // some updates, so the critics are not at their initialisation
  const B = 6;
  const rng = new Rng(4);
  const obs = Float32Array.from({ length: B * 3 }, () => rng.uniform(-1, 1));
  const eps = Float64Array.from({ length: B }, () => rng.normal());
  const { loss, grad } = a.actorLossAndGrad(obs, eps);
  const { actor, critic } = a.weights();
  const actorNet = new Mlp({ input: 3, hidden: [32, 32], towers: [2], activation: 'relu' });
  const criticNet = new Mlp({ input: 4, hidden: [32, 32], towers: [1, 1], activation: 'relu' });
  const lossAt = (params: Float32Array): number => {
    const { act, logp } = squash(actorNet.predictJs(params, obs, B), eps, B, 1);
    const q = criticNet.predictJs(critic, Float32Array.from({ length: B * 4 }, (_, k) => (k % 4 < 3 ? obs[Math.floor(k / 4) * 3 + (k % 4)] : act[Math.floor(k / 4)])), B);
    let l = 0;
    for (let r = 0; r < B; r++) l += (0.2 * logp[r] - Math.min(q[2 * r], q[2 * r + 1])) / B;
    return l;
  };
  assert.ok(Math.abs(lossAt(actor) - loss) < 1e-4, `loss ${loss} vs ${lossAt(actor)}`);
  // Check the 40 largest gradient entries (relu kinks make tiny ones noisy).
  const order = Array.from(grad.keys()).sort((i, j) => Math.abs(grad[j]) - Math.abs(grad[i])).slice(0, 40);
  for (const i of order) {
    const p = actor.slice();
    const h = 1e-3;
    p[i] = actor[i] + h;
    const hi = p[i]; // the value float32 actually holds
    const up = lossAt(p);
    p[i] = actor[i] - h;
    const lo = p[i];
    const down = lossAt(p);
    const fd = (up - down) / (hi - lo);
    assert.ok(Math.abs(fd - grad[i]) < 0.02 * Math.abs(grad[i]) + 2e-4, `param ${i}: analytic ${grad[i]} vs finite difference ${fd}`);
  }
  a.dispose();
});

test('learning_rate: the next Adam steps move actor and critic weights by about the new rate', async () => {
  const a = make({ learning_rate: 1e-6 });
  await run(a, 30);
  a.set({ learning_rate: 0.02 });
  const w0 = a.weights();
  const stats = await run(a, 1);
  assert.equal(stats['charts/learning_rate'], 0.02);
  const w1 = a.weights();
  for (const [name, d] of [['actor', maxAbsDiff(w1.actor, w0.actor)], ['critic', maxAbsDiff(w1.critic, w0.critic)]] as const)
    assert.ok(d > 0.018 && d < 0.0201, `${name} first Adam step ${d}`);
  assert.ok(Math.abs(Math.abs(w1.logAlpha - w0.logAlpha) - 0.02) < 1e-6, 'log alpha moves by lr too');
  a.dispose();
});

test('gamma: the critic targets use the new discount', async () => {
  const a = make();
  await run(a, 35);
  const batch = { nextObs: new Float32Array([1, 0, 0.5, 0, 1, -2]), rewards: new Float32Array([-1, -2]), terminated: new Float32Array([0, 1]) };
  const y1 = a.tdTargets(batch, 9);
  a.set({ gamma: 0.9 });
  const y2 = a.tdTargets(batch, 9);
  // y = r + γ·V(s') for the live transition; the terminated one is r whatever γ.
  assert.ok(Math.abs((y2[0] - -1) / (y1[0] - -1) - 0.9 / 0.99) < 1e-9);
  assert.equal(y1[1], -2);
  assert.equal(y2[1], -2);
  a.dispose();
});

test('tau: the target critics blend by the new coefficient after the next update', async () => {
  const a = make();
  await run(a, 35);
  a.set({ tau: 0.3 });
  const w0 = a.weights();
  await run(a, 1);
  const w1 = a.weights();
  let err = 0;
  for (let i = 0; i < w0.critic.length; i++) err = Math.max(err, Math.abs(w1.criticTarget[i] - (0.3 * w1.critic[i] + 0.7 * w0.criticTarget[i])));
  assert.ok(err < 1e-6, `blend error ${err}`);
  a.dispose();
});

test('target_update_interval: the targets move only every N gradient steps', async () => {
  const a = make();
  await run(a, 31); // 1 update so far
  a.set({ target_update_interval: 3 });
  const seen: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    const before = a.weights().criticTarget;
    await a.iterate();
    seen.push(maxAbsDiff(a.weights().criticTarget, before) > 0);
  }
  assert.equal(a.updates, 7);
  assert.deepEqual(seen, [false, true, false, false, true, false]); // updates 3 and 6
  a.dispose();
});

test('ent_coef_auto and ent_coef: a fixed coefficient is used as set; a learned one restarts from a new value', async () => {
  const a = make();
  await run(a, 35);
  a.set({ ent_coef_auto: false, ent_coef: 0.3 });
  const logAlpha = a.weights().logAlpha;
  const stats = await run(a, 3);
  assert.equal(stats['losses/alpha'], 0.3);
  assert.equal(stats['losses/alpha_loss'], undefined);
  assert.ok(Math.abs(a.weights().logAlpha - Math.log(0.3)) < 1e-6 || a.weights().logAlpha === logAlpha);
  a.set({ ent_coef_auto: true, ent_coef: 0.05 });
  assert.ok(Math.abs(a.alpha - 0.05) < 1e-6);
  const s2 = await run(a, 1);
  assert.ok(Math.abs(s2['losses/alpha'] - 0.05) < 1e-6, 'the update uses the coefficient from before its own step');
  assert.ok(Math.abs(a.alpha - 0.05) > 1e-6, 'then learning moves it');
  a.dispose();
});

test('target_entropy: log alpha moves up when the target is above the policy entropy and down when below', async () => {
  const up = make({ target_entropy: 10 });
  const down = make({ target_entropy: -10 });
  await run(up, 30);
  await run(down, 30);
  await run(up, 1);
  await run(down, 1);
  assert.ok(up.weights().logAlpha > 0 && down.weights().logAlpha < 0);
  down.set({ target_entropy: 10 });
  const before = down.weights().logAlpha;
  await run(down, 1);
  assert.ok(down.weights().logAlpha > before, 'the new target turns the direction at the next update');
  up.dispose();
  down.dispose();
});

test('gradient_steps, train_freq, batch_size and learning_starts take effect at the next phase', async () => {
  const a = make({ learning_starts: 10_000 });
  await run(a, 40);
  assert.equal(a.updates, 0);
  a.set({ learning_starts: 20 });
  await a.iterate();
  assert.equal(a.updates, 1);
  a.set({ gradient_steps: 4 });
  await a.iterate();
  assert.equal(a.updates, 5);
  a.set({ train_freq: 5 });
  assert.equal((await a.iterate()).envSteps, 5);
  assert.equal(a.lastBatchRows, 16);
  a.set({ batch_size: 24 });
  await a.iterate();
  assert.equal(a.lastBatchRows, 24);
  a.dispose();
});

test('buffer_size: the replay buffer is resized mid-run', async () => {
  const a = make({ learning_starts: 10_000 });
  await run(a, 60);
  a.set({ buffer_size: 100 });
  assert.deepEqual(a.replay, { size: 60, capacity: 100 });
  await run(a, 60);
  assert.deepEqual(a.replay, { size: 100, capacity: 100 });
  assert.throws(() => a.set({ net_arch: '64-64' }), /net_arch cannot change during a run/);
  a.dispose();
});

test('the factory builds SAC with the Pendulum preset', () => {
  const a = createAlgorithm('sac', 'Pendulum-v1', { seed: 0, values: { net_arch: '32-32' } });
  assert.equal(a.algo, 'sac');
  assert.equal(a.values().learning_rate, 1e-3);
  a.dispose();
});

test('interrupted, checkpointed (with buffer) and restored = uninterrupted', async () => {
  const values = { gradient_steps: 2, train_freq: 2 };
  // Uninterrupted, with a mid-run change of tau at iteration 30.
  const straight = make(values, 5, 'Pendulum-v1', 25);
  const rA: number[] = [];
  for (let i = 0; i < 70; i++) {
    if (i === 30) straight.set({ tau: 0.02 });
    for (const e of (await straight.iterate()).episodes) rA.push(e.return);
  }
  // Interrupted at iteration 30, checkpointed, restored into a run built with other values and seed.
  const first = make(values, 5, 'Pendulum-v1', 25);
  const rB: number[] = [];
  for (let i = 0; i < 30; i++) for (const e of (await first.iterate()).episodes) rB.push(e.return);
  first.set({ tau: 0.02 });
  const ck = structuredClone(await first.checkpoint({ includeReplayBuffer: true }));
  first.dispose();
  const second = make({ ...values, learning_rate: 0.05 }, 77, 'Pendulum-v1', 25);
  await second.restore(ck);
  for (let i = 30; i < 70; i++) for (const e of (await second.iterate()).episodes) rB.push(e.return);

  assert.ok(rA.length >= 5, 'episodes end on both sides of the interruption');
  assert.deepEqual(rB, rA);
  assert.deepEqual(second.values(), straight.values());
  assert.equal(second.globalStep, straight.globalStep);
  assert.deepEqual(second.weights(), straight.weights());
  straight.dispose();
  second.dispose();
});

test('tf.memory().numTensors stays flat over 100 updates', async () => {
  const a = make({ learning_starts: 10 });
  await run(a, 20);
  const n0 = getTf().memory().numTensors;
  const u0 = a.updates;
  await run(a, 100);
  assert.equal(a.updates - u0, 100);
  assert.equal(getTf().memory().numTensors, n0);
  a.dispose();
});

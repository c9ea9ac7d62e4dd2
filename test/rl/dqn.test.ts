// DQN on the real CartPole env with tiny networks and budgets, cpu backend. One test per
// mutable hyperparameter proves it takes effect at the next step or update.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dqn } from '../../src/rl/algos/dqn';
import { getTf, initBackend } from '../../src/rl/backend';
import { Mlp } from '../../src/rl/nn';
import type { HyperparamValues } from '../../src/shared/hyperparams';

before(async () => {
  await initBackend('cpu');
});

const SMALL: HyperparamValues = {
  net_arch: '32-32',
  batch_size: 16,
  learning_starts: 50,
  train_freq: 10,
  gradient_steps: 2,
  target_update_interval: 100,
  buffer_size: 1000,
  learning_rate: 1e-3,
};

function make(values: HyperparamValues = {}, seed = 1, totalSteps = 1000): Dqn {
  return new Dqn({ envId: 'CartPole-v1', seed, totalSteps, values: { ...SMALL, ...values } });
}

async function run(a: Dqn, iterations: number): Promise<Record<string, number>> {
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

function norm(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

test('random actions until learning_starts, then updates with CleanRL-keyed stats', async () => {
  const a = make();
  const r = await a.iterate();
  assert.equal(r.envSteps, 10);
  assert.deepEqual(r.stats, {});
  const stats = await run(a, 5); // 60 steps > learning_starts 50
  for (const k of ['losses/td_loss', 'losses/q_values', 'charts/epsilon', 'charts/learning_rate']) assert.ok(Number.isFinite(stats[k]), k);
  assert.equal(a.updates, 2);
  a.dispose();
});

test('terminated transitions do not bootstrap, truncated ones do', async () => {
  // A CartPole episode cut at 5 steps by the time limit stores terminated = 0.
  const a = new Dqn({ envId: 'CartPole-v1', envOptions: { maxEpisodeSteps: 5 }, seed: 3, totalSteps: 100, values: { ...SMALL, learning_starts: 1000 } });
  const r = await a.iterate();
  assert.equal(r.episodes.length, 2);
  assert.deepEqual(r.episodes.map((e) => e.length), [5, 5]);
  const ck = await a.checkpoint({ includeReplayBuffer: true });
  const term = ck.arrays['replay/terminated'];
  assert.ok(term instanceof Uint8Array);
  assert.equal(term.slice(0, 10).reduce((s, x) => s + x, 0), 0);
  a.dispose();
});

test('learning_rate: the next Adam step moves each weight by about the new rate', async () => {
  const a = make({ learning_rate: 1e-5 });
  await run(a, 4); // 40 steps, no update yet
  a.set({ learning_rate: 0.01, gradient_steps: 1 });
  const before = a.weights().online;
  const stats = await run(a, 2);
  assert.equal(a.updates, 1);
  assert.equal(stats['charts/learning_rate'], 0.01);
  // Adam's first step is lr * g / (|g| + eps): about lr for every weight with a gradient.
  const step = maxAbsDiff(a.weights().online, before);
  assert.ok(step > 0.009 && step < 0.0101, `first Adam step ${step}`);
  a.dispose();
});

test('gamma: the TD loss is computed with the new discount', async () => {
  const a = make({ learning_starts: 10_000 });
  await run(a, 3);
  // Hand-built batch; before any update online = target, so the expected loss follows from Q-values.
  const batch = { obs: new Float32Array([0.01, 0.02, 0.03, 0.04, -0.1, 0.2, 0.05, -0.3]), actions: new Float32Array([1, 0]), rewards: new Float32Array([1, 1]), nextObs: new Float32Array([0.02, 0.1, 0.0, -0.1, 0.3, 0.2, -0.1, 0.1]), terminated: new Float32Array([0, 1]) };
  const expected = (gamma: number): number => {
    let s = 0;
    for (let r = 0; r < 2; r++) {
      const q = a.qValues(batch.obs.subarray(r * 4, r * 4 + 4))[batch.actions[r]];
      const y = batch.rewards[r] + gamma * (1 - batch.terminated[r]) * Math.max(...a.qValues(batch.nextObs.subarray(r * 4, r * 4 + 4)));
      const d = Math.abs(q - y);
      s += d < 1 ? 0.5 * d * d : d - 0.5;
    }
    return s / 2;
  };
  const l1 = a.tdLoss(batch);
  assert.ok(Math.abs(l1 - expected(0.99)) < 1e-4, `${l1} vs ${expected(0.99)}`);
  a.set({ gamma: 0.8 });
  const l2 = a.tdLoss(batch);
  assert.ok(Math.abs(l2 - expected(0.8)) < 1e-4, `${l2} vs ${expected(0.8)}`);
  assert.ok(Math.abs(l1 - l2) > 1e-4);
  a.dispose();
});

test('double_q: the next action is picked by the online net and valued by the target net', async () => {
  const a = make({ learning_starts: 20, target_update_interval: 100_000, learning_rate: 0.01, gradient_steps: 5 });
  await run(a, 4); // online has moved away from the target
  const { online, target } = a.weights();
  assert.ok(maxAbsDiff(online, target) > 1e-3);
  const net = new Mlp({ input: 4, hidden: [32, 32], towers: [2], activation: 'relu' });
  const fwd = (p: Float32Array, x: Float32Array): number[] => Array.from(net.predictJs(p, x, 1));
  const batch = { obs: new Float32Array([0.1, 0.5, -0.1, 0.2]), actions: new Float32Array([0]), rewards: new Float32Array([1]), nextObs: new Float32Array([0.3, -1.2, 0.15, 1.0]), terminated: new Float32Array([0]) };
  const q = fwd(online, batch.obs)[0];
  const qOn = fwd(online, batch.nextObs);
  const qT = fwd(target, batch.nextObs);
  const huber = (d: number): number => (Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5);
  const vanilla = huber(q - (1 + 0.99 * Math.max(...qT)));
  const double = huber(q - (1 + 0.99 * qT[qOn.indexOf(Math.max(...qOn))]));
  assert.ok(Math.abs(a.tdLoss(batch) - vanilla) < 1e-4);
  a.set({ double_q: true });
  assert.ok(Math.abs(a.tdLoss(batch) - double) < 1e-4);
  const stats = await run(a, 1); // an update through the double-DQN path runs
  assert.ok(Number.isFinite(stats['losses/td_loss']));
  a.dispose();
});

test('exploration_initial_eps, exploration_final_eps, exploration_fraction: epsilon read back at once', async () => {
  const a = make({}, 1, 1000); // defaults: 1.0 -> 0.05 over 10% of 1000 steps
  await run(a, 5); // step 50: half-way through the decay
  assert.ok(Math.abs(a.epsilon - (1 - 0.5 * 0.95)) < 1e-12);
  a.set({ exploration_final_eps: 0.5 });
  assert.ok(Math.abs(a.epsilon - 0.75) < 1e-12);
  a.set({ exploration_initial_eps: 0.9 });
  assert.ok(Math.abs(a.epsilon - 0.7) < 1e-12);
  a.set({ exploration_fraction: 0.04 });
  assert.equal(a.epsilon, 0.5);
  const stats = await run(a, 1);
  assert.equal(stats['charts/epsilon'], 0.5);
  a.dispose();
});

test('epsilon really drives the actions: eps 0 after learning_starts acts greedily', async () => {
  const a = make({ learning_starts: 0, exploration_initial_eps: 0, exploration_final_eps: 0, gradient_steps: 1, train_freq: 1 });
  // With eps 0 each stored action is the greedy action of the weights before the step's update.
  for (let i = 0; i < 20; i++) {
    const obs = a.currentObs();
    const greedy = a.act(obs);
    await a.iterate();
    const ck = await a.checkpoint({ includeReplayBuffer: true });
    assert.equal((ck.arrays['replay/actions'] as Float32Array)[i], greedy);
  }
  a.dispose();
});

test('gradient_steps: the next training phase runs the new count', async () => {
  const a = make();
  await run(a, 6);
  assert.equal(a.updates, 2);
  a.set({ gradient_steps: 7 });
  await a.iterate();
  assert.equal(a.updates, 9);
  a.dispose();
});

test('train_freq: the next iteration collects the new number of steps', async () => {
  const a = make();
  assert.equal((await a.iterate()).envSteps, 10);
  a.set({ train_freq: 3 });
  assert.equal((await a.iterate()).envSteps, 3);
  assert.equal(a.globalStep, 13);
  a.dispose();
});

test('batch_size: the next update samples the new number of transitions', async () => {
  const a = make();
  await run(a, 6);
  assert.equal(a.lastBatchRows, 16);
  a.set({ batch_size: 40 });
  await a.iterate();
  assert.equal(a.lastBatchRows, 40);
  a.dispose();
});

test('learning_starts: lowering it mid-run starts updates at the next phase', async () => {
  const a = make({ learning_starts: 10_000 });
  await run(a, 3);
  assert.equal(a.updates, 0);
  a.set({ learning_starts: 20 });
  await a.iterate();
  assert.equal(a.updates, 2);
  a.dispose();
});

test('target_update_interval: the target is synced on the new schedule', async () => {
  const a = make({ learning_starts: 20, target_update_interval: 1_000_000, learning_rate: 0.01 });
  await run(a, 5);
  let w = a.weights();
  assert.ok(maxAbsDiff(w.online, w.target) > 1e-4, 'target stays put with a huge interval');
  a.set({ target_update_interval: 1 });
  await a.iterate(); // every env step copies online -> target; the phase's updates come after the last copy
  a.set({ gradient_steps: 1, train_freq: 1, learning_starts: 1_000_000 });
  await a.iterate(); // one more step copies again, no update
  w = a.weights();
  assert.equal(maxAbsDiff(w.online, w.target), 0);
  a.dispose();
});

test('tau: a soft target update blends by the new coefficient', async () => {
  const a = make({ learning_starts: 20, target_update_interval: 1_000_000, learning_rate: 0.01 });
  await run(a, 5);
  const w0 = a.weights();
  a.set({ tau: 0.25, target_update_interval: 1, train_freq: 1, learning_starts: 1_000_000 });
  await a.iterate(); // exactly one target update, no gradient step
  const w1 = a.weights();
  let err = 0;
  for (let i = 0; i < w0.online.length; i++) err = Math.max(err, Math.abs(w1.target[i] - (0.25 * w0.online[i] + 0.75 * w0.target[i])));
  assert.ok(err < 1e-6, `blend error ${err}`);
  a.dispose();
});

test('max_grad_norm: the gradient fed to Adam is clipped to the new norm', async () => {
  const a = make({ gradient_steps: 1, max_grad_norm: 1000 });
  await run(a, 6);
  // After one Adam step m = 0.1 * g_clipped.
  const m1 = norm(a.weights().adamM);
  const b = make({ gradient_steps: 1, max_grad_norm: 1000 });
  await run(b, 5);
  b.set({ max_grad_norm: 0.01 });
  await b.iterate();
  assert.ok(m1 > 0.002, `unclipped first moment ${m1}`);
  assert.ok(Math.abs(norm(b.weights().adamM) - 0.1 * 0.01) < 1e-5, `clipped first moment ${norm(b.weights().adamM)}`);
  a.dispose();
  b.dispose();
});

test('buffer_size: the replay buffer is resized, keeping the newest transitions', async () => {
  const a = make({ learning_starts: 10_000 });
  await run(a, 5);
  assert.deepEqual(a.replay, { size: 50, capacity: 1000 });
  a.set({ buffer_size: 100 });
  assert.deepEqual(a.replay, { size: 50, capacity: 100 });
  await run(a, 8);
  assert.deepEqual(a.replay, { size: 100, capacity: 100 });
  a.dispose();
});

test('immutable and unknown hyperparameters are refused with the reason', () => {
  const a = make();
  assert.throws(() => a.set({ net_arch: '64-64' }), /net_arch cannot change during a run/);
  assert.throws(() => a.set({ nope: 1 }), /unknown hyperparameter "nope"/);
  assert.throws(() => a.set({ gamma: 2 }), /gamma = 2 is above its maximum/);
  a.dispose();
  assert.throws(() => new Dqn({ envId: 'Pendulum-v1', totalSteps: 10 }), /dqn needs a discrete action space/);
});

test('interrupted, checkpointed (with buffer) and restored = uninterrupted', async () => {
  const values = { double_q: true, gradient_steps: 3 };
  const straight = make(values, 7);
  const returnsA: number[] = [];
  for (let i = 0; i < 30; i++) for (const e of (await straight.iterate()).episodes) returnsA.push(e.return);

  const first = make(values, 7);
  const returnsB: number[] = [];
  for (let i = 0; i < 12; i++) for (const e of (await first.iterate()).episodes) returnsB.push(e.return);
  const ck = structuredClone(await first.checkpoint({ includeReplayBuffer: true }));
  first.dispose();
  const second = make({ ...values, learning_rate: 0.05 }, 999); // constructor values and seed are overwritten by restore
  await second.restore(ck);
  for (let i = 12; i < 30; i++) for (const e of (await second.iterate()).episodes) returnsB.push(e.return);

  assert.deepEqual(returnsB, returnsA);
  assert.equal(second.globalStep, straight.globalStep);
  assert.deepEqual(second.weights(), straight.weights());
  assert.deepEqual(second.values(), straight.values());
  straight.dispose();
  second.dispose();
});

test('a checkpoint without the replay buffer restores everything else and refills the buffer', async () => {
  const a = make({}, 3, 2000);
  await run(a, 10);
  const ck = await a.checkpoint();
  assert.equal(ck.arrays['replay/obs'], undefined);
  const b = make({ learning_rate: 0.01 }, 4, 500);
  await b.restore(structuredClone(ck));
  assert.deepEqual(b.values(), a.values());
  assert.equal(b.epsilon, a.epsilon, 'the epsilon schedule keeps the step budget of the checkpoint');
  assert.deepEqual(b.weights(), a.weights());
  assert.deepEqual(b.replay, { size: 0, capacity: 1000 });
  await b.iterate();
  assert.equal(b.replay.size, 10);
  assert.ok(b.updates > a.updates);
  await assert.rejects(b.restore({ ...ck, algo: 'sac' }), /this is a sac checkpoint/);
  a.dispose();
  b.dispose();
});

test('tf.memory().numTensors stays flat over 100 updates', async () => {
  const a = make({ train_freq: 1, gradient_steps: 1, learning_starts: 20, target_update_interval: 5 });
  await run(a, 25);
  const n0 = getTf().memory().numTensors;
  const u0 = a.updates;
  await run(a, 100);
  assert.equal(a.updates - u0, 100);
  assert.equal(getTf().memory().numTensors, n0);
  a.set({ double_q: true });
  await run(a, 20);
  assert.equal(getTf().memory().numTensors, n0);
  a.dispose();
});

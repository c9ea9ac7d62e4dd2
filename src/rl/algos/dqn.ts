// DQN (Mnih et al. 2015) with Stable-Baselines3's semantics and names: a circular replay
// buffer, a target network updated every `target_update_interval` env steps (hard, or soft
// with `tau`), a linear epsilon schedule over the step budget, `learning_starts`,
// `train_freq` / `gradient_steps`, Huber loss, gradient-norm clipping, and double DQN as an
// option. Time-limit truncation bootstraps: the stored next observation is the episode's
// final one (VectorEnv's `finalObs`) and only `terminated` stops the target.
//
// Reads top to bottom like SB3's `learn()`: each `iterate()` collects `train_freq` vector
// steps (random actions before `learning_starts`, epsilon-greedy after), then runs
// `gradient_steps` updates. Every hyperparameter is read from `this.hp` at the moment it is
// used, so a `set()` takes effect at the next step or update with nothing cached.
//
// Speed: the networks are the shared nn core (one flat Float32Array, hand-written backward,
// JS Adam). Acting is a plain-JS forward on a compiled copy of the weights (recompiled after
// each training phase); the loss and its gradient are computed in JS from the outputs; the
// target network does not change during a training phase, so the bootstrap targets of all
// its gradient steps come from ONE batched forward pass (when double DQN is off).

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { makeVectorEnv, type VectorEnv, type VectorEnvSnapshot } from '../envs';
import { Adam, clipGradNorm, Mlp, type JsForward } from '../nn';
import { Rng, type RngState } from '../rng';
import { epsilonAt } from './dqn-schedule';
import { storeTransitions, checkMutable, initialValues, initTorchDefault, NET_ARCH_CHOICES, num, parseNetArch, polyak, takeArray, type OffPolicyOptions } from './offpolicy-common';
import { ReplayBuffer, type ReplayState } from './replay';
import type { AlgoCheckpoint, Algorithm, EpisodeRecord, IterationResult } from './types';

export const DQN_SPACE: readonly HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 1e-4, min: 1e-6, max: 0.1, scale: 'log', mutable: true, description: 'Adam step size of the Q-network' },
  { name: 'buffer_size', type: 'int', default: 1_000_000, min: 100, max: 5_000_000, scale: 'log', mutable: true, description: 'replay buffer capacity in transitions (shrinking drops the oldest)' },
  { name: 'learning_starts', type: 'int', default: 100, min: 0, max: 1_000_000, scale: 'linear', mutable: true, description: 'env steps of uniform random actions before learning begins' },
  { name: 'batch_size', type: 'int', default: 32, min: 1, max: 4096, scale: 'log', mutable: true, description: 'transitions sampled per gradient step' },
  { name: 'tau', type: 'float', default: 1.0, min: 0.001, max: 1, scale: 'linear', mutable: true, description: 'target update coefficient: 1 copies the online net, less blends it in (polyak)' },
  { name: 'gamma', type: 'float', default: 0.99, min: 0.8, max: 0.9999, scale: 'linear', mutable: true, description: 'discount factor of the TD target' },
  { name: 'train_freq', type: 'int', default: 4, min: 1, max: 10_000, scale: 'log', mutable: true, description: 'vector-env steps collected between training phases' },
  { name: 'gradient_steps', type: 'int', default: 1, min: 1, max: 2_000, scale: 'log', mutable: true, description: 'gradient steps per training phase' },
  { name: 'target_update_interval', type: 'int', default: 10_000, min: 1, max: 1_000_000, scale: 'log', mutable: true, description: 'env steps between target-network updates' },
  { name: 'exploration_fraction', type: 'float', default: 0.1, min: 0, max: 1, scale: 'linear', mutable: true, description: 'fraction of the step budget over which epsilon decays' },
  { name: 'exploration_initial_eps', type: 'float', default: 1.0, min: 0, max: 1, scale: 'linear', mutable: true, description: 'epsilon at the start of the decay' },
  { name: 'exploration_final_eps', type: 'float', default: 0.05, min: 0, max: 1, scale: 'linear', mutable: true, description: 'epsilon after the decay' },
  { name: 'max_grad_norm', type: 'float', default: 10, min: 0.01, max: 1000, scale: 'log', mutable: true, description: 'gradients are rescaled to at most this global L2 norm' },
  { name: 'double_q', type: 'bool', default: false, scale: 'linear', mutable: true, description: 'double DQN: the online net picks the next action, the target net values it' },
  { name: 'n_envs', type: 'int', default: 1, min: 1, max: 64, scale: 'log', mutable: false, description: 'parallel env copies' },
  { name: 'net_arch', type: 'choice', default: '64-64', choices: NET_ARCH_CHOICES, scale: 'linear', mutable: false, description: 'hidden layer sizes of the Q-network (ReLU)' },
];

export class Dqn implements Algorithm {
  readonly algo = 'dqn' as const;
  readonly space = DQN_SPACE;
  private hp: HyperparamValues;
  /** The run's step budget, the clock of the epsilon schedule (restored from a checkpoint). */
  private totalSteps: number;
  private readonly rng: Rng;
  private readonly venv: VectorEnv;
  private buffer: ReplayBuffer;
  private readonly nActions: number;
  private readonly obsDim: number;
  private readonly net: Mlp;
  private readonly theta: Float32Array;
  private readonly target: Float32Array;
  private readonly grad: Float32Array;
  private readonly adam: Adam;
  private policy: JsForward;
  private step = 0;
  /** Vector-env steps taken (SB3's `_n_calls`), the clock of target updates. */
  private nCalls = 0;
  private nUpdates = 0;
  private lastRows = 0;
  private readonly actions: Float32Array;
  private readonly actedOn: Float32Array;
  private readonly qRow: Float32Array;

  constructor(opts: OffPolicyOptions) {
    this.hp = initialValues(DQN_SPACE, opts.values, 'dqn');
    this.totalSteps = opts.totalSteps;
    const seed = opts.seed ?? 0;
    this.rng = new Rng(seed);
    this.venv = makeVectorEnv(opts.envId, num(this.hp, 'n_envs'), opts.envOptions);
    const space = this.venv.actionSpace;
    if (space.kind !== 'discrete') throw new Error(`dqn needs a discrete action space; ${opts.envId} has a continuous one (use sac or ppo)`);
    this.nActions = space.n;
    this.obsDim = this.venv.obsDim;
    this.venv.reset(seed);
    this.actions = new Float32Array(this.venv.numEnvs);
    this.actedOn = new Float32Array(this.venv.obs.length);
    this.qRow = new Float32Array(this.nActions);
    this.buffer = new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, 1);
    this.net = new Mlp({ input: this.obsDim, hidden: parseNetArch(this.hp.net_arch), towers: [this.nActions], activation: 'relu' });
    this.theta = new Float32Array(this.net.nParams);
    initTorchDefault(this.net, this.theta, this.rng);
    this.target = this.theta.slice();
    this.grad = new Float32Array(this.net.nParams);
    this.adam = new Adam(this.net.nParams);
    this.policy = this.net.compileJs(this.theta);
  }

  get globalStep(): number {
    return this.step;
  }

  values(): HyperparamValues {
    return { ...this.hp };
  }

  set(values: HyperparamValues): void {
    const v = checkMutable(DQN_SPACE, values, 'dqn');
    this.hp = { ...this.hp, ...v };
    if (v.buffer_size !== undefined) this.buffer.resize(num(this.hp, 'buffer_size'));
  }

  /** Current exploration rate (SB3's `exploration_rate`). */
  get epsilon(): number {
    return epsilonAt(
      {
        exploration_initial_eps: num(this.hp, 'exploration_initial_eps'),
        exploration_final_eps: num(this.hp, 'exploration_final_eps'),
        exploration_fraction: num(this.hp, 'exploration_fraction'),
      },
      this.step,
      this.totalSteps,
    );
  }

  /** Updates done so far (gradient steps). */
  get updates(): number {
    return this.nUpdates;
  }

  /** Rows in the last gradient step's batch (what `batch_size` really did). */
  get lastBatchRows(): number {
    return this.lastRows;
  }

  /** Transitions held, and the capacity, of the replay buffer. */
  get replay(): { size: number; capacity: number } {
    return { size: this.buffer.size, capacity: this.buffer.capacity };
  }

  async iterate(): Promise<IterationResult> {
    const episodes: EpisodeRecord[] = [];
    const v = this.venv;
    const n = v.numEnvs;
    const od = this.obsDim;
    const trainFreq = num(this.hp, 'train_freq');
    for (let s = 0; s < trainFreq; s++) {
      this.chooseActions();
      v.step(this.actions);
      storeTransitions(this.buffer, v, this.actedOn, od, (i) => this.actions[i], episodes);
      this.step += n;
      this.nCalls += 1;
      if (this.nCalls % Math.max(Math.floor(num(this.hp, 'target_update_interval') / n), 1) === 0) polyak(this.target, this.theta, num(this.hp, 'tau'));
    }
    let stats: Record<string, number> = {};
    if (this.step > num(this.hp, 'learning_starts')) stats = this.train(num(this.hp, 'gradient_steps'));
    return { envSteps: trainFreq * n, episodes, stats };
  }

  act(obs: ArrayLike<number>): number {
    return argmax(this.policy.forward(obs, 1, this.qRow));
  }

  /** The observations the next actions will be chosen from, [n_envs * obsDim]. */
  currentObs(): Float32Array {
    return this.venv.obs.slice();
  }

  /** Q-values of one observation from the online network. */
  qValues(obs: ArrayLike<number>): number[] {
    return Array.from(this.policy.forward(obs, 1, this.qRow));
  }

  // ---- acting --------------------------------------------------------------------------------

  /** Fills `actions` for the current observations, and keeps a copy of them in `actedOn`
   *  (the vector env's `obs` moves on, to the reset observation when an episode ends). */
  private chooseActions(): void {
    const v = this.venv;
    this.actedOn.set(v.obs);
    const random = this.step < num(this.hp, 'learning_starts');
    const eps = this.epsilon;
    for (let i = 0; i < v.numEnvs; i++) {
      if (random || this.rng.random() < eps) this.actions[i] = this.rng.int(this.nActions);
      else this.actions[i] = argmax(this.policy.forward(v.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim), 1, this.qRow));
    }
  }

  // ---- learning ------------------------------------------------------------------------------

  /** `gradientSteps` updates on fresh replay samples; returns the mean diagnostics. */
  train(gradientSteps: number): Record<string, number> {
    const B = num(this.hp, 'batch_size');
    const gamma = num(this.hp, 'gamma');
    const lr = num(this.hp, 'learning_rate');
    const maxNorm = num(this.hp, 'max_grad_norm');
    const doubleQ = this.hp.double_q === true;
    const od = this.obsDim;
    const nA = this.nActions;
    // Sample every batch of the phase up front (the same draws, in the same order, as one at a time).
    const obs = new Float32Array(gradientSteps * B * od);
    const next = new Float32Array(gradientSteps * B * od);
    const act = new Int32Array(gradientSteps * B);
    const y = new Float32Array(gradientSteps * B);
    const discount = new Float32Array(gradientSteps * B);
    for (let g = 0; g < gradientSteps; g++) {
      const b = this.buffer.sample(B, this.rng);
      obs.set(b.obs, g * B * od);
      next.set(b.nextObs, g * B * od);
      for (let r = 0; r < B; r++) {
        act[g * B + r] = b.actions[r];
        y[g * B + r] = b.rewards[r];
        discount[g * B + r] = gamma * (1 - b.terminated[r]);
      }
    }
    // The target net is fixed during a phase: all bootstrap values in one batched pass.
    if (!doubleQ) {
      const qNext = this.net.predict(this.target, next, gradientSteps * B);
      for (let k = 0; k < gradientSteps * B; k++) y[k] += discount[k] * maxRow(qNext, k * nA, nA);
    }
    let lossSum = 0;
    let qSum = 0;
    let normSum = 0;
    for (let g = 0; g < gradientSteps; g++) {
      const o0 = g * B;
      if (doubleQ) {
        // The online net (which changes every step) picks the next action, the target values it.
        const nx = next.subarray(o0 * od, (o0 + B) * od);
        const qOn = this.net.predict(this.theta, nx, B);
        const qT = this.net.predict(this.target, nx, B);
        for (let r = 0; r < B; r++) y[o0 + r] += discount[o0 + r] * qT[r * nA + argmaxRow(qOn, r * nA, nA)];
      }
      let loss = 0;
      let qs = 0;
      this.net.forwardBackward(this.theta, obs.subarray(o0 * od, (o0 + B) * od), B, (out, dOut) => {
        // Mean Huber loss (delta 1, PyTorch's smooth_l1_loss) on Q(s, a); dOut is zero elsewhere.
        for (let r = 0; r < B; r++) {
          const a = act[o0 + r];
          const q = out[r * nA + a];
          const d = q - y[o0 + r];
          const ad = Math.abs(d);
          loss += ad < 1 ? 0.5 * d * d : ad - 0.5;
          qs += q;
          dOut[r * nA + a] = (ad < 1 ? d : Math.sign(d)) / B;
        }
      }, this.grad);
      normSum += clipGradNorm(this.grad, maxNorm);
      this.adam.step(this.theta, this.grad, lr);
      lossSum += loss / B;
      qSum += qs / B;
      this.lastRows = B;
      this.nUpdates += 1;
    }
    this.policy = this.net.compileJs(this.theta);
    return {
      'losses/td_loss': lossSum / gradientSteps,
      'losses/q_values': qSum / gradientSteps,
      'losses/grad_norm': normSum / gradientSteps,
      'charts/epsilon': this.epsilon,
      'charts/learning_rate': lr,
      'charts/updates': this.nUpdates,
    };
  }

  /** Mean Huber TD loss of a batch under the CURRENT weights and hyperparameters, without updating (diagnostics and tests). */
  tdLoss(batch: { obs: Float32Array; actions: Float32Array; rewards: Float32Array; nextObs: Float32Array; terminated: Float32Array }): number {
    const gamma = num(this.hp, 'gamma');
    const B = batch.rewards.length;
    const nA = this.nActions;
    const q = this.net.predictJs(this.theta, batch.obs, B);
    const qT = this.net.predictJs(this.target, batch.nextObs, B);
    const qOn = this.net.predictJs(this.theta, batch.nextObs, B);
    let loss = 0;
    for (let r = 0; r < B; r++) {
      const next = this.hp.double_q === true ? qT[r * nA + argmaxRow(qOn, r * nA, nA)] : maxRow(qT, r * nA, nA);
      const d = Math.abs(q[r * nA + batch.actions[r]] - (batch.rewards[r] + gamma * (1 - batch.terminated[r]) * next));
      loss += d < 1 ? 0.5 * d * d : d - 0.5;
    }
    return loss / B;
  }

  /** Copies of the online and target weights and of Adam's first moment (tests, diagnostics). */
  weights(): { online: Float32Array; target: Float32Array; adamM: Float32Array } {
    return { online: this.theta.slice(), target: this.target.slice(), adamM: this.adam.m.slice() };
  }

  // ---- checkpoints ---------------------------------------------------------------------------

  async checkpoint(options: { includeReplayBuffer?: boolean } = {}): Promise<AlgoCheckpoint> {
    const withBuffer = options.includeReplayBuffer === true;
    return {
      algo: 'dqn',
      json: {
        values: { ...this.hp },
        totalSteps: this.totalSteps,
        step: this.step,
        nCalls: this.nCalls,
        nUpdates: this.nUpdates,
        adamT: this.adam.t,
        rng: this.rng.getState(),
        venv: this.venv.snapshot(),
        replay: withBuffer ? this.buffer.getState() : null,
      },
      arrays: {
        'dqn/theta': this.theta.slice(),
        'dqn/target': this.target.slice(),
        'dqn/adam_m': this.adam.m.slice(),
        'dqn/adam_v': this.adam.v.slice(),
        ...(withBuffer ? this.buffer.toArrays() : {}),
      },
    };
  }

  async restore(ckpt: AlgoCheckpoint): Promise<void> {
    if (ckpt.algo !== 'dqn') throw new Error(`this is a ${ckpt.algo} checkpoint; restore it into a ${ckpt.algo} run, not dqn`);
    const j = ckpt.json as {
      values: HyperparamValues;
      totalSteps: number;
      step: number;
      nCalls: number;
      nUpdates: number;
      adamT: number;
      rng: { s: RngState; spare: number | null };
      venv: VectorEnvSnapshot;
      replay: ReplayState | null;
    };
    if (String(j.values.net_arch) !== String(this.hp.net_arch) || j.values.n_envs !== this.hp.n_envs)
      throw new Error(`the checkpoint has net_arch ${String(j.values.net_arch)} and n_envs ${String(j.values.n_envs)}; this run has ${String(this.hp.net_arch)} and ${String(this.hp.n_envs)}: create the run with the checkpoint's values`);
    const size = this.net.nParams;
    const a = ckpt.arrays;
    this.theta.set(takeArray(a, 'dqn/theta', Float32Array, size));
    this.target.set(takeArray(a, 'dqn/target', Float32Array, size));
    this.adam.setState({ m: takeArray(a, 'dqn/adam_m', Float32Array, size), v: takeArray(a, 'dqn/adam_v', Float32Array, size), t: j.adamT });
    this.hp = { ...j.values };
    this.totalSteps = j.totalSteps;
    this.step = j.step;
    this.nCalls = j.nCalls;
    this.nUpdates = j.nUpdates;
    this.rng.setState(j.rng);
    this.venv.restore(j.venv);
    this.buffer = j.replay ? ReplayBuffer.fromArrays(j.replay, a) : new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, 1);
    this.policy = this.net.compileJs(this.theta);
  }

  dispose(): void {
    // Nothing lives on the tfjs backend between calls.
  }
}

function argmax(q: ArrayLike<number>): number {
  return argmaxRow(q, 0, q.length);
}

function argmaxRow(q: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (q[off + i] > q[off + best]) best = i;
  return best;
}

function maxRow(q: ArrayLike<number>, off: number, n: number): number {
  let m = q[off];
  for (let i = 1; i < n; i++) if (q[off + i] > m) m = q[off + i];
  return m;
}

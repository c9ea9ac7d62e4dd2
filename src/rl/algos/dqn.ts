// DQN (Mnih et al. 2015) with Stable-Baselines3's semantics and names: a circular replay
// buffer, a target network updated every `target_update_interval` env steps (hard, or soft
// with `tau`), a linear epsilon schedule over the step budget, `learning_starts`,
// `train_freq` / `gradient_steps`, Huber loss, gradient-norm clipping, and double DQN as an
// option. Time-limit truncation bootstraps (only `terminated` stops the target).
//
// Reads top to bottom like SB3's `learn()`: each `iterate()` collects `train_freq` vector
// steps (random actions before `learning_starts`, epsilon-greedy after), then runs
// `gradient_steps` updates. Every hyperparameter is read from `this.hp` at the moment it is
// used, so a `set()` takes effect at the next step or update with nothing cached.
//
// Speed: acting is a plain-JS forward pass on a host copy of the weights (refreshed after each
// training phase); an update is one small tensor graph on one flat parameter vector; the
// target network is fixed during a training phase, so the bootstrap targets of all its
// gradient steps come from ONE batched forward pass when double DQN is off.

import * as tf from '@tensorflow/tfjs';
import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { Rng, type RngState } from '../rng';
import { clipByGlobalNorm, FlatAdam, flatGrad, initMlp, layerTensors, mlpApply, mlpForward, MlpJs, mlpLayout, polyakUpdate, type MlpLayout } from '../nn/offpolicy';
import { epsilonAt } from './dqn-schedule';
import { checkMutable, initialValues, NET_ARCH_CHOICES, num, parseNetArch, takeArray, type OffPolicyOptions } from './offpolicy-common';
import { ReplayBuffer, type ReplayState } from './replay';
import { ReplayCollector, type CollectorState } from './replay-collector';
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
  private readonly totalSteps: number;
  private readonly rng: Rng;
  private readonly collector: ReplayCollector;
  private buffer: ReplayBuffer;
  private readonly nActions: number;
  private readonly obsDim: number;
  private readonly layout: MlpLayout;
  private readonly theta: tf.Variable<tf.Rank.R1>;
  private readonly target: tf.Variable<tf.Rank.R1>;
  private readonly adam: FlatAdam;
  private readonly jsNet: MlpJs;
  private hostTheta: Float32Array;
  private step = 0;
  /** Vector-env steps taken (SB3's `_n_calls`), the clock of target updates. */
  private nCalls = 0;
  private nUpdates = 0;
  private lastRows = 0;
  private readonly actions: Float32Array;
  private readonly actedOn: Float32Array;

  constructor(opts: OffPolicyOptions) {
    this.hp = initialValues(DQN_SPACE, opts.values, 'dqn');
    this.totalSteps = opts.totalSteps;
    const seed = opts.seed ?? 0;
    this.rng = new Rng(seed);
    const envs = Array.from({ length: num(this.hp, 'n_envs') }, () => opts.makeEnv());
    const space = envs[0].actionSpace;
    if (space.kind !== 'discrete') throw new Error(`dqn needs a discrete action space; ${envs[0].id} has a continuous one (use sac or ppo)`);
    this.nActions = space.n;
    this.collector = new ReplayCollector(envs, seed);
    this.obsDim = this.collector.obsDim;
    this.actions = new Float32Array(this.collector.n);
    this.actedOn = new Float32Array(this.collector.obs.length);
    this.buffer = new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, 1);
    this.layout = mlpLayout([this.obsDim, ...parseNetArch(this.hp.net_arch), this.nActions]);
    const init = new Float32Array(this.layout.size);
    initMlp(this.layout, init, this.rng);
    this.hostTheta = init;
    this.theta = tf.variable(tf.tensor1d(init), true);
    this.target = tf.variable(tf.tensor1d(init), false);
    this.adam = new FlatAdam(this.layout.size);
    this.jsNet = new MlpJs(this.layout);
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
    const c = this.collector;
    const n = c.n;
    const trainFreq = num(this.hp, 'train_freq');
    for (let s = 0; s < trainFreq; s++) {
      this.chooseActions();
      c.step(this.actions, 1, episodes);
      for (let i = 0; i < n; i++) {
        const o = i * this.obsDim;
        this.buffer.add(this.actedOn.subarray(o, o + this.obsDim), this.actions[i], c.rewards[i], c.nextObs.subarray(o, o + this.obsDim), c.terminated[i] === 1);
      }
      this.step += n;
      this.nCalls += 1;
      if (this.nCalls % Math.max(Math.floor(num(this.hp, 'target_update_interval') / n), 1) === 0) polyakUpdate(this.target, this.theta, num(this.hp, 'tau'));
    }
    let stats: Record<string, number> = {};
    if (this.step > num(this.hp, 'learning_starts')) stats = this.train(num(this.hp, 'gradient_steps'));
    return { envSteps: trainFreq * n, episodes, stats };
  }

  act(obs: ArrayLike<number>): number {
    return argmax(this.jsNet.forward(this.hostTheta, obs));
  }

  /** Q-values of one observation from the online network (host copy). */
  qValues(obs: ArrayLike<number>): number[] {
    return Array.from(this.jsNet.forward(this.hostTheta, obs));
  }

  // ---- acting --------------------------------------------------------------------------------

  /** Fills `actions` for the current observations, and keeps a copy of them in `actedOn`
   *  (the collector's `obs` moves on to the reset observation when an episode ends). */
  private chooseActions(): void {
    const c = this.collector;
    this.actedOn.set(c.obs);
    const random = this.step < num(this.hp, 'learning_starts');
    const eps = this.epsilon;
    for (let i = 0; i < c.n; i++) {
      if (random || this.rng.random() < eps) this.actions[i] = this.rng.int(this.nActions);
      else this.actions[i] = argmax(this.jsNet.forward(this.hostTheta, c.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim)));
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
    // Sample every batch of the phase up front (same draws, in the same order, as one at a time).
    const obs = new Float32Array(gradientSteps * B * od);
    const next = new Float32Array(gradientSteps * B * od);
    const mask = new Float32Array(gradientSteps * B * nA);
    const reward = new Float32Array(gradientSteps * B);
    const discount = new Float32Array(gradientSteps * B);
    for (let g = 0; g < gradientSteps; g++) {
      const b = this.buffer.sample(B, this.rng);
      obs.set(b.obs, g * B * od);
      next.set(b.nextObs, g * B * od);
      for (let r = 0; r < B; r++) {
        mask[(g * B + r) * nA + b.actions[r]] = 1;
        reward[g * B + r] = b.rewards[r];
        discount[g * B + r] = gamma * (1 - b.terminated[r]);
      }
    }
    // Bootstrap targets of all steps at once: the target net does not change during a phase.
    let targets: Float32Array | undefined;
    if (!doubleQ) {
      targets = tf.tidy(() => {
        const qNext = mlpForward(this.layout, this.target, tf.tensor2d(next, [gradientSteps * B, od]));
        return tf.add(tf.tensor1d(reward), tf.mul(tf.tensor1d(discount), tf.max(qNext, 1))).dataSync() as Float32Array;
      });
    }
    const losses: tf.Scalar[] = [];
    const qMeans: tf.Scalar[] = [];
    const norms: tf.Scalar[] = [];
    for (let g = 0; g < gradientSteps; g++) {
      const [loss, qMean, norm] = tf.tidy(() => {
        const o = tf.tensor2d(obs.subarray(g * B * od, (g + 1) * B * od), [B, od]);
        this.lastRows = o.shape[0];
        const m = tf.tensor2d(mask.subarray(g * B * nA, (g + 1) * B * nA), [B, nA]);
        let y: tf.Tensor1D;
        if (targets) y = tf.tensor1d(targets.subarray(g * B, (g + 1) * B));
        else {
          const nx = tf.tensor2d(next.subarray(g * B * od, (g + 1) * B * od), [B, od]);
          const best = tf.oneHot(tf.argMax(mlpForward(this.layout, this.theta, nx), 1), nA);
          const qNext = tf.sum(tf.mul(mlpForward(this.layout, this.target, nx), best), 1);
          y = tf.add<tf.Tensor1D>(tf.tensor1d(reward.subarray(g * B, (g + 1) * B)), tf.mul(tf.tensor1d(discount.subarray(g * B, (g + 1) * B)), qNext));
        }
        // valueAndGrads disposes what the loss function made; Q(s, a) is kept for the diagnostics.
        let qa: tf.Tensor | undefined;
        const { value, grads } = tf.valueAndGrads((...params: tf.Tensor[]) => {
          qa = tf.keep(tf.sum(tf.mul(mlpApply(params, o), m), 1));
          return huber(tf.sub(qa, y));
        })(layerTensors(this.layout, this.theta));
        const qMean = tf.mean(qa!) as tf.Scalar;
        qa!.dispose();
        const [clipped, norm] = clipByGlobalNorm(flatGrad(grads), maxNorm);
        this.adam.step(this.theta, clipped, lr);
        return [value, qMean, norm];
      });
      losses.push(loss);
      qMeans.push(qMean);
      norms.push(norm);
      this.nUpdates += 1;
    }
    const means = tf.tidy(() => tf.stack([tf.mean(tf.stack(losses)), tf.mean(tf.stack(qMeans)), tf.mean(tf.stack(norms))]).dataSync());
    tf.dispose([...losses, ...qMeans, ...norms]);
    this.hostTheta = this.theta.dataSync().slice() as Float32Array;
    return {
      'losses/td_loss': means[0],
      'losses/q_values': means[1],
      'losses/grad_norm': means[2],
      'charts/epsilon': this.epsilon,
      'charts/learning_rate': lr,
      'charts/updates': this.nUpdates,
    };
  }

  /** Mean Huber TD loss of a batch under the CURRENT weights and hyperparameters, without updating (diagnostics and tests). */
  tdLoss(batch: { obs: Float32Array; actions: Float32Array; rewards: Float32Array; nextObs: Float32Array; terminated: Float32Array }): number {
    const gamma = num(this.hp, 'gamma');
    const B = batch.rewards.length;
    const od = this.obsDim;
    return tf.tidy(() => {
      const q = mlpForward(this.layout, this.theta, tf.tensor2d(batch.obs, [B, od]));
      const qa = tf.sum(tf.mul(q, tf.oneHot(tf.tensor1d(batch.actions, 'int32'), this.nActions)), 1);
      const nx = tf.tensor2d(batch.nextObs, [B, od]);
      const qt = mlpForward(this.layout, this.target, nx);
      const qNext = this.hp.double_q === true ? tf.sum(tf.mul(qt, tf.oneHot(tf.argMax(mlpForward(this.layout, this.theta, nx), 1), this.nActions)), 1) : tf.max(qt, 1);
      const y = tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.mul(tf.sub(1, tf.tensor1d(batch.terminated)), gamma), qNext));
      return huber(tf.sub(qa, y)).dataSync()[0];
    });
  }

  /** Host copies of the online and target weights and of Adam's first moment (tests, diagnostics). */
  weights(): { online: Float32Array; target: Float32Array; adamM: Float32Array } {
    return {
      online: this.theta.dataSync().slice() as Float32Array,
      target: this.target.dataSync().slice() as Float32Array,
      adamM: this.adam.m.dataSync().slice() as Float32Array,
    };
  }

  // ---- checkpoints ---------------------------------------------------------------------------

  async checkpoint(options: { includeReplayBuffer?: boolean } = {}): Promise<AlgoCheckpoint> {
    const withBuffer = options.includeReplayBuffer === true;
    const arrays: AlgoCheckpoint['arrays'] = {
      'dqn/theta': this.theta.dataSync().slice() as Float32Array,
      'dqn/target': this.target.dataSync().slice() as Float32Array,
      'dqn/adam_m': this.adam.m.dataSync().slice() as Float32Array,
      'dqn/adam_v': this.adam.v.dataSync().slice() as Float32Array,
      'env/obs': this.collector.obs.slice(),
      ...(withBuffer ? this.buffer.toArrays() : {}),
    };
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
        collector: this.collector.getState(),
        replay: withBuffer ? this.buffer.getState() : null,
      },
      arrays,
    };
  }

  async restore(ckpt: AlgoCheckpoint): Promise<void> {
    if (ckpt.algo !== 'dqn') throw new Error(`this is a ${ckpt.algo} checkpoint; restore it into a ${ckpt.algo} run, not dqn`);
    const j = ckpt.json as {
      values: HyperparamValues;
      step: number;
      nCalls: number;
      nUpdates: number;
      adamT: number;
      rng: { s: RngState; spare: number | null };
      collector: CollectorState;
      replay: ReplayState | null;
    };
    if (String(j.values.net_arch) !== String(this.hp.net_arch) || j.values.n_envs !== this.hp.n_envs)
      throw new Error(`the checkpoint has net_arch ${String(j.values.net_arch)} and n_envs ${String(j.values.n_envs)}; this run has ${String(this.hp.net_arch)} and ${String(this.hp.n_envs)}: create the run with the checkpoint's values`);
    const size = this.layout.size;
    const a = ckpt.arrays;
    this.theta.assign(tf.tensor1d(takeArray(a, 'dqn/theta', Float32Array, size)));
    this.target.assign(tf.tensor1d(takeArray(a, 'dqn/target', Float32Array, size)));
    this.adam.m.assign(tf.tensor1d(takeArray(a, 'dqn/adam_m', Float32Array, size)));
    this.adam.v.assign(tf.tensor1d(takeArray(a, 'dqn/adam_v', Float32Array, size)));
    this.adam.t = j.adamT;
    this.hp = { ...j.values };
    this.step = j.step;
    this.nCalls = j.nCalls;
    this.nUpdates = j.nUpdates;
    this.rng.setState(j.rng);
    this.collector.setState(j.collector, takeArray(a, 'env/obs', Float32Array, this.collector.obs.length));
    this.buffer = j.replay ? ReplayBuffer.fromArrays(j.replay, a) : new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, 1);
    this.hostTheta = this.theta.dataSync().slice() as Float32Array;
  }

  dispose(): void {
    this.theta.dispose();
    this.target.dispose();
    this.adam.dispose();
  }
}

function argmax(q: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < q.length; i++) if (q[i] > q[best]) best = i;
  return best;
}

/** Mean Huber loss with delta 1 (PyTorch's smooth_l1_loss, what SB3's DQN minimises). */
function huber(d: tf.Tensor): tf.Scalar {
  const ad = tf.abs(d);
  const quad = tf.minimum(ad, 1);
  return tf.mean(tf.add(tf.mul(tf.square(quad), 0.5), tf.sub(ad, quad))) as tf.Scalar;
}

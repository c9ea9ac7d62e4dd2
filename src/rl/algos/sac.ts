// SAC (Haarnoja et al. 2018) with Stable-Baselines3's semantics and names, for Box action
// spaces: a tanh-squashed Gaussian actor (log-prob corrected by log(1 − tanh² + 1e-6)), twin
// critics with polyak-averaged targets (`tau` every `target_update_interval` gradient steps),
// and automatic entropy tuning (learn log α towards a target entropy of −dim(A)) or a fixed
// coefficient. Actions live in [−1, 1] for the networks and the replay buffer and are scaled
// to the env's Box bounds when stepping. Time-limit truncation bootstraps (VectorEnv's
// `finalObs`; only `terminated` stops the target).
//
// One gradient step, in SB3's order: sample a batch; actor pass on obs (and next obs, in the
// same pass); entropy-coefficient loss and step (the coefficient used in this step is the one
// before that step); critic target from the target critics at the next obs with fresh
// next actions; critic loss ½·Σₖ MSE(Qₖ(s, a), y) and step; actor loss
// mean(α·log π(ã|s) − min Qₖ(s, ã)) through the UPDATED critics, and step; polyak update.
//
// The networks are the shared nn core: losses and their gradients are computed in JS from the
// outputs; the actor's gradient through the critics comes from the critics' input gradient
// (dQ/da), and the reparameterisation and tanh correction are differentiated here by hand.

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { makeVectorEnv, type VectorEnv, type VectorEnvSnapshot } from '../envs';
import { Adam, Mlp } from '../nn';
import { Rng, type RngState } from '../rng';
import { storeTransitions, checkMutable, initialValues, initTorchDefault, NET_ARCH_CHOICES, num, parseNetArch, polyak, takeArray, type OffPolicyOptions } from './offpolicy-common';
import { LOG_STD_MAX, LOG_STD_MIN, clampLogStd } from './gaussian';
import { ReplayBuffer, type ReplayState } from './replay';
import type { AlgoCheckpoint, Algorithm, EpisodeRecord, IterationResult } from './types';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export const SAC_SPACE: readonly HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 0.1, scale: 'log', mutable: true, description: 'Adam step size of the actor, the critics and the entropy coefficient' },
  { name: 'buffer_size', type: 'int', default: 1_000_000, min: 100, max: 5_000_000, scale: 'log', mutable: true, description: 'replay buffer capacity in transitions (shrinking drops the oldest)' },
  { name: 'learning_starts', type: 'int', default: 100, min: 0, max: 1_000_000, scale: 'linear', mutable: true, description: 'env steps of uniform random actions before learning begins' },
  { name: 'batch_size', type: 'int', default: 256, min: 1, max: 4096, scale: 'log', mutable: true, description: 'transitions sampled per gradient step' },
  { name: 'tau', type: 'float', default: 0.005, min: 0.0001, max: 1, scale: 'log', mutable: true, description: 'polyak coefficient of the target critics' },
  { name: 'gamma', type: 'float', default: 0.99, min: 0.8, max: 0.9999, scale: 'linear', mutable: true, description: 'discount factor of the soft TD target' },
  { name: 'train_freq', type: 'int', default: 1, min: 1, max: 10_000, scale: 'log', mutable: true, description: 'vector-env steps collected between training phases' },
  { name: 'gradient_steps', type: 'int', default: 1, min: 1, max: 2_000, scale: 'log', mutable: true, description: 'gradient steps per training phase' },
  { name: 'target_update_interval', type: 'int', default: 1, min: 1, max: 100_000, scale: 'log', mutable: true, description: 'gradient steps between target-critic updates' },
  { name: 'ent_coef_auto', type: 'bool', default: true, scale: 'linear', mutable: true, description: 'learn the entropy coefficient (SB3 ent_coef="auto"); false keeps it at ent_coef' },
  { name: 'ent_coef', type: 'float', default: 1.0, min: 1e-4, max: 10, scale: 'log', mutable: true, description: 'entropy coefficient: fixed value, or the value learning restarts from when auto' },
  { name: 'target_entropy', type: 'float', default: -1, min: -10, max: 10, scale: 'linear', mutable: true, description: 'entropy the auto coefficient aims for (SB3 "auto": -dim(A), i.e. -1 for the 1-D envs here)' },
  { name: 'log_std_init', type: 'float', default: 0, min: -5, max: 2, scale: 'linear', mutable: false, description: 'initial log standard deviation of the actor (bias of its log-std output)' },
  { name: 'n_envs', type: 'int', default: 1, min: 1, max: 64, scale: 'log', mutable: false, description: 'parallel env copies' },
  { name: 'net_arch', type: 'choice', default: '256-256', choices: NET_ARCH_CHOICES, scale: 'linear', mutable: false, description: 'hidden layer sizes of the actor and of each critic (ReLU)' },
];

export class Sac implements Algorithm {
  readonly algo = 'sac' as const;
  readonly space = SAC_SPACE;
  private hp: HyperparamValues;
  private readonly rng: Rng;
  private readonly venv: VectorEnv;
  private buffer: ReplayBuffer;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly low: number[];
  private readonly high: number[];
  private readonly actor: Mlp; // one tower: [mean (actDim), log_std (actDim)]
  private readonly critic: Mlp; // two towers: Q1, Q2 of [obs, action]
  private readonly actorParams: Float32Array;
  private readonly criticParams: Float32Array;
  private readonly criticTarget: Float32Array;
  private readonly actorGrad: Float32Array;
  private readonly criticGrad: Float32Array;
  private readonly scratchGrad: Float32Array;
  private readonly actorAdam: Adam;
  private readonly criticAdam: Adam;
  private readonly alphaAdam: Adam;
  private readonly logAlpha = new Float32Array(1);
  private step = 0;
  private nUpdates = 0;
  private lastRows = 0;
  private readonly actions: Float32Array; // in [-1, 1], what the buffer stores
  private readonly envActions: Float32Array; // scaled to the Box
  private readonly actedOn: Float32Array;

  constructor(opts: OffPolicyOptions) {
    this.hp = initialValues(SAC_SPACE, opts.values, 'sac');
    const seed = opts.seed ?? 0;
    this.rng = new Rng(seed);
    this.venv = makeVectorEnv(opts.envId, num(this.hp, 'n_envs'), opts.envOptions);
    const space = this.venv.actionSpace;
    if (space.kind !== 'box') throw new Error(`sac needs a continuous (Box) action space; ${opts.envId} has a discrete one (use dqn or ppo)`);
    this.actDim = space.low.length;
    this.low = space.low;
    this.high = space.high;
    this.obsDim = this.venv.obsDim;
    this.venv.reset(seed);
    const n = this.venv.numEnvs;
    this.actions = new Float32Array(n * this.actDim);
    this.envActions = new Float32Array(n * this.actDim);
    this.actedOn = new Float32Array(this.venv.obs.length);
    this.buffer = new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, this.actDim);
    const hidden = parseNetArch(this.hp.net_arch);
    this.actor = new Mlp({ input: this.obsDim, hidden, towers: [2 * this.actDim], activation: 'relu' });
    this.critic = new Mlp({ input: this.obsDim + this.actDim, hidden, towers: [1, 1], activation: 'relu' });
    this.actorParams = new Float32Array(this.actor.nParams);
    this.criticParams = new Float32Array(this.critic.nParams);
    initTorchDefault(this.actor, this.actorParams, this.rng);
    initTorchDefault(this.critic, this.criticParams, this.rng);
    const out = this.actor.layout[0][this.actor.layout[0].length - 1];
    this.actorParams.fill(num(this.hp, 'log_std_init'), out.b + this.actDim, out.b + 2 * this.actDim);
    this.criticTarget = this.criticParams.slice();
    this.actorGrad = new Float32Array(this.actor.nParams);
    this.criticGrad = new Float32Array(this.critic.nParams);
    this.scratchGrad = new Float32Array(this.critic.nParams);
    this.actorAdam = new Adam(this.actor.nParams);
    this.criticAdam = new Adam(this.critic.nParams);
    this.alphaAdam = new Adam(1);
    this.logAlpha[0] = Math.log(num(this.hp, 'ent_coef'));
  }

  get globalStep(): number {
    return this.step;
  }

  values(): HyperparamValues {
    return { ...this.hp };
  }

  set(values: HyperparamValues): void {
    const v = checkMutable(SAC_SPACE, values, 'sac');
    this.hp = { ...this.hp, ...v };
    if (v.buffer_size !== undefined) this.buffer.resize(num(this.hp, 'buffer_size'));
    // A new ent_coef is where a learned coefficient restarts from (and the fixed value otherwise).
    if (v.ent_coef !== undefined) {
      this.logAlpha[0] = Math.log(num(this.hp, 'ent_coef'));
      this.alphaAdam.reset();
    }
  }

  /** The entropy coefficient the next update uses. */
  get alpha(): number {
    return this.hp.ent_coef_auto === true ? Math.exp(this.logAlpha[0]) : num(this.hp, 'ent_coef');
  }

  get updates(): number {
    return this.nUpdates;
  }

  get lastBatchRows(): number {
    return this.lastRows;
  }

  get replay(): { size: number; capacity: number } {
    return { size: this.buffer.size, capacity: this.buffer.capacity };
  }

  async iterate(): Promise<IterationResult> {
    const episodes: EpisodeRecord[] = [];
    const v = this.venv;
    const n = v.numEnvs;
    const od = this.obsDim;
    const ad = this.actDim;
    const trainFreq = num(this.hp, 'train_freq');
    for (let s = 0; s < trainFreq; s++) {
      this.chooseActions();
      v.step(this.envActions);
      storeTransitions(this.buffer, v, this.actedOn, od, (i) => this.actions.subarray(i * ad, i * ad + ad), episodes);
      this.step += n;
    }
    let stats: Record<string, number> = {};
    if (this.step > num(this.hp, 'learning_starts')) stats = this.train(num(this.hp, 'gradient_steps'));
    return { envSteps: trainFreq * n, episodes, stats };
  }

  /** Deterministic action (tanh of the mean), scaled to the Box. */
  act(obs: ArrayLike<number>): number | number[] {
    const out = this.actor.predictJs(this.actorParams, obs, 1);
    const a = Array.from({ length: this.actDim }, (_, j) => this.scale(Math.tanh(out[j]), j));
    return this.actDim === 1 ? a[0] : a;
  }

  // ---- acting --------------------------------------------------------------------------------

  private scale(a: number, j: number): number {
    return this.low[j] + 0.5 * (a + 1) * (this.high[j] - this.low[j]);
  }

  private chooseActions(): void {
    const v = this.venv;
    const ad = this.actDim;
    this.actedOn.set(v.obs);
    if (this.step < num(this.hp, 'learning_starts')) {
      for (let k = 0; k < this.actions.length; k++) this.actions[k] = this.rng.uniform(-1, 1);
    } else {
      const out = this.actor.predictJs(this.actorParams, v.obs, v.numEnvs);
      for (let i = 0; i < v.numEnvs; i++) {
        for (let j = 0; j < ad; j++) {
          const mean = out[i * 2 * ad + j];
          const logStd = clampLogStd(out[i * 2 * ad + ad + j]);
          this.actions[i * ad + j] = Math.tanh(mean + Math.exp(logStd) * this.rng.normal());
        }
      }
    }
    for (let k = 0; k < this.actions.length; k++) this.envActions[k] = this.scale(this.actions[k], k % ad);
  }

  // ---- learning ------------------------------------------------------------------------------

  train(gradientSteps: number): Record<string, number> {
    const sums = { qf: 0, actor: 0, alpha: 0, alphaLoss: 0, q1: 0 };
    for (let g = 0; g < gradientSteps; g++) {
      const s = this.gradientStep();
      sums.qf += s.qfLoss;
      sums.actor += s.actorLoss;
      sums.alpha += s.alpha;
      sums.alphaLoss += s.alphaLoss;
      sums.q1 += s.q1;
    }
    const stats: Record<string, number> = {
      'losses/qf_loss': sums.qf / gradientSteps,
      'losses/actor_loss': sums.actor / gradientSteps,
      'losses/alpha': sums.alpha / gradientSteps,
      'losses/qf1_values': sums.q1 / gradientSteps,
      'charts/learning_rate': num(this.hp, 'learning_rate'),
      'charts/updates': this.nUpdates,
    };
    if (this.hp.ent_coef_auto === true) stats['losses/alpha_loss'] = sums.alphaLoss / gradientSteps;
    return stats;
  }

  private gradientStep(): { qfLoss: number; actorLoss: number; alpha: number; alphaLoss: number; q1: number } {
    const B = num(this.hp, 'batch_size');
    const lr = num(this.hp, 'learning_rate');
    const od = this.obsDim;
    const ad = this.actDim;
    const ci = od + ad; // critic input width
    const batch = this.buffer.sample(B, this.rng);
    this.lastRows = B;

    // Actor on obs (rows 0..B) and next obs (rows B..2B) in one pass; only obs rows get a gradient.
    const x = new Float32Array(2 * B * od);
    x.set(batch.obs, 0);
    x.set(batch.nextObs, B * od);
    const pass = this.actor.trainPass(this.actorParams, x, 2 * B);
    try {
      const out = pass.out;
      const eps = new Float64Array(2 * B * ad);
      for (let k = 0; k < eps.length; k++) eps[k] = this.rng.normal();
      const { act, logp } = squash(out, eps, 2 * B, ad); // tanh-squashed sampled actions and their log-probs

      // Entropy coefficient: the value before its own update is the one used in this step.
      const auto = this.hp.ent_coef_auto === true;
      const alpha = this.alpha;
      let alphaLoss = 0;
      if (auto) {
        const target = num(this.hp, 'target_entropy');
        let m = 0;
        for (let r = 0; r < B; r++) m += logp[r] + target;
        m /= B;
        alphaLoss = -this.logAlpha[0] * m;
        this.alphaAdam.step(this.logAlpha, Float32Array.of(-m), lr);
      }

      // Soft TD target from the target critics at the next observations.
      const y = this.softTargets(batch.nextObs, act.subarray(B * ad), logp.subarray(B), batch.rewards, batch.terminated, alpha);

      // Critic step: loss ½ Σₖ mean (Qₖ(s, a) − y)².
      const curIn = new Float32Array(B * ci);
      for (let r = 0; r < B; r++) {
        curIn.set(batch.obs.subarray(r * od, r * od + od), r * ci);
        curIn.set(batch.actions.subarray(r * ad, r * ad + ad), r * ci + od);
      }
      let qfLoss = 0;
      let q1 = 0;
      this.critic.forwardBackward(this.criticParams, curIn, B, (q, dq) => {
        for (let r = 0; r < B; r++) {
          for (let k = 0; k < 2; k++) {
            const d = q[r * 2 + k] - y[r];
            qfLoss += (0.5 * d * d) / B;
            dq[r * 2 + k] = d / B;
          }
          q1 += q[r * 2] / B;
        }
      }, this.criticGrad);
      this.criticAdam.step(this.criticParams, this.criticGrad, lr);

      // Actor step through the updated critics: loss mean(α·logπ(ã|s) − min Qₖ(s, ã)).
      const dOut = new Float32Array(2 * B * 2 * ad); // rows of the next observations stay 0
      const actorLoss = this.actorLossGrad(batch.obs, out, eps, act, logp, alpha, B, dOut);
      pass.backward(dOut, this.actorGrad);
      this.actorAdam.step(this.actorParams, this.actorGrad, lr);

      this.nUpdates += 1;
      if (this.nUpdates % num(this.hp, 'target_update_interval') === 0) polyak(this.criticTarget, this.criticParams, num(this.hp, 'tau'));
      return { qfLoss, actorLoss, alpha, alphaLoss, q1 };
    } finally {
      pass.dispose();
    }
  }

  /**
   * The actor's loss mean(α·logπ(ã|s) − min Qₖ(s, ã)) over rows 0..B, and its gradient with
   * respect to the actor's outputs (mean, log-std) written into `dOut` rows 0..B. ã = tanh(u),
   * u = mean + std·ε with ε fixed (reparameterisation); dQ/dã comes from the critics' input
   * gradient; log π = Σ −ε²/2 − log std − ½log 2π − log(1 − ã² + 1e-6), whose −ε²/2 term has no
   * gradient since u − mean = std·ε.
   */
  private actorLossGrad(obs: Float32Array, out: Float32Array, eps: Float64Array, act: Float32Array, logp: Float64Array, alpha: number, B: number, dOut: Float32Array): number {
    const od = this.obsDim;
    const ad = this.actDim;
    const ci = od + ad;
    const piIn = new Float32Array(B * ci);
    for (let r = 0; r < B; r++) {
      piIn.set(obs.subarray(r * od, r * od + od), r * ci);
      piIn.set(act.subarray(r * ad, r * ad + ad), r * ci + od);
    }
    const dIn = new Float32Array(B * ci);
    let actorLoss = 0;
    this.critic.forwardBackward(this.criticParams, piIn, B, (q, dq) => {
      for (let r = 0; r < B; r++) {
        const k = q[r * 2] <= q[r * 2 + 1] ? 0 : 1;
        actorLoss += (alpha * logp[r] - q[r * 2 + k]) / B;
        dq[r * 2 + k] = -1 / B;
      }
    }, this.scratchGrad, dIn);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < ad; j++) {
        const a = act[r * ad + j];
        const rawLogStd = out[r * 2 * ad + ad + j];
        const std = Math.exp(clampLogStd(rawLogStd));
        // dL/dã: the critics' part (already /B) plus α·d(−log(1 − ã² + 1e-6))/dã / B.
        const dA = dIn[r * ci + od + j] + (alpha * (2 * a)) / (1 - a * a + 1e-6) / B;
        const dU = dA * (1 - a * a); // through tanh
        dOut[r * 2 * ad + j] = dU; // u = mean + std·ε
        const inRange = rawLogStd > LOG_STD_MIN && rawLogStd < LOG_STD_MAX;
        dOut[r * 2 * ad + ad + j] = inRange ? dU * std * eps[r * ad + j] - alpha / B : 0;
      }
    }
    return actorLoss;
  }

  /** The actor loss and its gradient w.r.t. the actor's parameters for given observations and
   *  noise, with the current critics and α, without updating anything (tests, diagnostics). */
  actorLossAndGrad(obs: Float32Array, eps: Float64Array): { loss: number; grad: Float32Array } {
    const ad = this.actDim;
    const B = obs.length / this.obsDim;
    const pass = this.actor.trainPass(this.actorParams, obs, B);
    try {
      const { act, logp } = squash(pass.out, eps, B, ad);
      const dOut = new Float32Array(B * 2 * ad);
      const loss = this.actorLossGrad(obs, pass.out, eps, act, logp, this.alpha, B, dOut);
      const grad = new Float32Array(this.actor.nParams);
      pass.backward(dOut, grad);
      return { loss, grad };
    } finally {
      pass.dispose();
    }
  }

  /** y = r + (1 − terminated)·γ·(min of the target critics at (s', a') − α·log π(a'|s')), with the current γ. */
  private softTargets(nextObs: Float32Array, nextAct: Float32Array, nextLogp: Float64Array, rewards: Float32Array, terminated: Float32Array, alpha: number): Float64Array {
    const B = rewards.length;
    const od = this.obsDim;
    const ad = this.actDim;
    const ci = od + ad;
    const gamma = num(this.hp, 'gamma');
    const nextIn = new Float32Array(B * ci);
    for (let r = 0; r < B; r++) {
      nextIn.set(nextObs.subarray(r * od, r * od + od), r * ci);
      nextIn.set(nextAct.subarray(r * ad, r * ad + ad), r * ci + od);
    }
    const qNext = this.critic.predict(this.criticTarget, nextIn, B);
    const y = new Float64Array(B);
    for (let r = 0; r < B; r++) {
      const minQ = Math.min(qNext[r * 2], qNext[r * 2 + 1]);
      y[r] = rewards[r] + (1 - terminated[r]) * gamma * (minQ - alpha * nextLogp[r]);
    }
    return y;
  }

  /** The critic targets of a batch with next actions drawn from `seed` (diagnostics and tests): what the next update regresses on. */
  tdTargets(batch: { nextObs: Float32Array; rewards: Float32Array; terminated: Float32Array }, seed: number): Float64Array {
    const B = batch.rewards.length;
    const ad = this.actDim;
    const rng = new Rng(seed);
    const out = this.actor.predictJs(this.actorParams, batch.nextObs, B);
    const eps = new Float64Array(B * ad);
    for (let k = 0; k < eps.length; k++) eps[k] = rng.normal();
    const { act, logp } = squash(out, eps, B, ad);
    return this.softTargets(batch.nextObs, act, logp, batch.rewards, batch.terminated, this.alpha);
  }

  /** Copies of the networks' parameters (tests, diagnostics). */
  weights(): { actor: Float32Array; critic: Float32Array; criticTarget: Float32Array; logAlpha: number } {
    return { actor: this.actorParams.slice(), critic: this.criticParams.slice(), criticTarget: this.criticTarget.slice(), logAlpha: this.logAlpha[0] };
  }

  /** Adam step counts (tests). */
  optimiserSteps(): { actor: number; critic: number; alpha: number } {
    return { actor: this.actorAdam.t, critic: this.criticAdam.t, alpha: this.alphaAdam.t };
  }

  // ---- checkpoints ---------------------------------------------------------------------------

  async checkpoint(options: { includeReplayBuffer?: boolean } = {}): Promise<AlgoCheckpoint> {
    const withBuffer = options.includeReplayBuffer === true;
    return {
      algo: 'sac',
      json: {
        values: { ...this.hp },
        step: this.step,
        nUpdates: this.nUpdates,
        adamT: { actor: this.actorAdam.t, critic: this.criticAdam.t, alpha: this.alphaAdam.t },
        rng: this.rng.getState(),
        venv: this.venv.snapshot(),
        replay: withBuffer ? this.buffer.getState() : null,
      },
      arrays: {
        'sac/actor': this.actorParams.slice(),
        'sac/critic': this.criticParams.slice(),
        'sac/critic_target': this.criticTarget.slice(),
        'sac/log_alpha': this.logAlpha.slice(),
        'sac/actor_adam_m': this.actorAdam.m.slice(),
        'sac/actor_adam_v': this.actorAdam.v.slice(),
        'sac/critic_adam_m': this.criticAdam.m.slice(),
        'sac/critic_adam_v': this.criticAdam.v.slice(),
        'sac/alpha_adam_m': this.alphaAdam.m.slice(),
        'sac/alpha_adam_v': this.alphaAdam.v.slice(),
        ...(withBuffer ? this.buffer.toArrays() : {}),
      },
    };
  }

  async restore(ckpt: AlgoCheckpoint): Promise<void> {
    if (ckpt.algo !== 'sac') throw new Error(`this is a ${ckpt.algo} checkpoint; restore it into a ${ckpt.algo} run, not sac`);
    const j = ckpt.json as {
      values: HyperparamValues;
      step: number;
      nUpdates: number;
      adamT: { actor: number; critic: number; alpha: number };
      rng: { s: RngState; spare: number | null };
      venv: VectorEnvSnapshot;
      replay: ReplayState | null;
    };
    if (String(j.values.net_arch) !== String(this.hp.net_arch) || j.values.n_envs !== this.hp.n_envs)
      throw new Error(`the checkpoint has net_arch ${String(j.values.net_arch)} and n_envs ${String(j.values.n_envs)}; this run has ${String(this.hp.net_arch)} and ${String(this.hp.n_envs)}: create the run with the checkpoint's values`);
    const a = ckpt.arrays;
    const na = this.actor.nParams;
    const nc = this.critic.nParams;
    this.actorParams.set(takeArray(a, 'sac/actor', Float32Array, na));
    this.criticParams.set(takeArray(a, 'sac/critic', Float32Array, nc));
    this.criticTarget.set(takeArray(a, 'sac/critic_target', Float32Array, nc));
    this.logAlpha.set(takeArray(a, 'sac/log_alpha', Float32Array, 1));
    this.actorAdam.setState({ m: takeArray(a, 'sac/actor_adam_m', Float32Array, na), v: takeArray(a, 'sac/actor_adam_v', Float32Array, na), t: j.adamT.actor });
    this.criticAdam.setState({ m: takeArray(a, 'sac/critic_adam_m', Float32Array, nc), v: takeArray(a, 'sac/critic_adam_v', Float32Array, nc), t: j.adamT.critic });
    this.alphaAdam.setState({ m: takeArray(a, 'sac/alpha_adam_m', Float32Array, 1), v: takeArray(a, 'sac/alpha_adam_v', Float32Array, 1), t: j.adamT.alpha });
    this.hp = { ...j.values };
    this.step = j.step;
    this.nUpdates = j.nUpdates;
    this.rng.setState(j.rng);
    this.venv.restore(j.venv);
    this.buffer = j.replay ? ReplayBuffer.fromArrays(j.replay, a) : new ReplayBuffer(num(this.hp, 'buffer_size'), this.obsDim, this.actDim);
  }

  dispose(): void {
    // Nothing lives on the tfjs backend between calls.
  }
}

/** Actions tanh(mean + std·ε) and their log-probabilities (with the tanh correction) for `rows` actor outputs. */
export function squash(out: Float32Array, eps: Float64Array, rows: number, ad: number): { act: Float32Array; logp: Float64Array } {
  const act = new Float32Array(rows * ad);
  const logp = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let lp = 0;
    for (let j = 0; j < ad; j++) {
      const logStd = clampLogStd(out[r * 2 * ad + ad + j]);
      const e = eps[r * ad + j];
      const a = Math.tanh(out[r * 2 * ad + j] + Math.exp(logStd) * e);
      act[r * ad + j] = a;
      lp += -0.5 * e * e - logStd - HALF_LOG_2PI - Math.log(1 - a * a + 1e-6);
    }
    logp[r] = lp;
  }
  return { act, logp };
}

// PPO (Schulman et al. 2017) with Stable-Baselines3's semantics and names, reading top to
// bottom like SB3's `learn()`: each `iterate()` collects `n_steps` vector steps with the current
// policy, computes GAE, then runs `n_epochs` passes of shuffled minibatches of `batch_size`
// over the clipped surrogate + value + entropy loss, with global grad-norm clipping and an
// optional target-KL early stop. Discrete actions (categorical) and continuous ones (diagonal
// Gaussian with a state-independent log-std, actions clipped to the box for the env only).
//
// Every hyperparameter is read from `this.hp` when it is used (rollout length at the next
// rollout, everything else at the next update), so `set()` always takes effect; nothing is
// cached. Schedules: `lr_schedule` / `clip_range_schedule` = linear multiplies the base value
// by the remaining fraction of the step budget (SB3's `lin_` presets); the effective values are
// reported as `charts/learning_rate` and `charts/clip_range`. Setting the base value mid-run
// changes what the schedule scales.
//
// Truncation: when an episode hits its time limit (truncated and not terminated), the value of
// its final observation is bootstrapped: r += gamma * V(final_obs) (SB3 does the same). Here the
// value is stored and gamma applied at GAE time, so a new gamma affects the whole next update.
//
// SPEED (PPO CartPole zoo preset: 8 envs × 32 steps, 20 epochs of one 256-minibatch = ~7,800
// updates per 100k steps; target ≤ 60 s on wasm). What was measured and done, in short (numbers
// and the dropped attempts in docs/engine-performance.md):
//  - acting: the policy runs in plain JS on a compiled copy of the flat parameters
//    (`Mlp.compileJs`, rebuilt once per iteration), all envs in one call, no tensors and no
//    dataSync per env step.
//  - update: actor and critic are two towers of ONE `Mlp` over one flat vector (block-diagonal
//    fusion of the towers was measured and is ~12% slower); tanh is computed as a fused sigmoid (wasm's tanh kernel is 20× slower);
//    biases ride as a ones column (no reductions); the backward pass is hand-written
//    (~16 kernels per minibatch); the loss and its gradient w.r.t. the outputs are computed in
//    JS from one readback of [batch, nA + 1] values; Adam and grad clipping are JS loops.
//  - result: ~2.5 ms CPU per 256-minibatch update on wasm; the 100k preset run takes ~23 s of CPU
//    (5/5 seeds solved, median 34k steps to 475).

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { checkValues, defaultValues, findSpec } from '../../shared/hyperparams';
import { makeVectorEnv, type MakeEnvOptions, type VectorEnv, type VectorEnvSnapshot } from '../envs';
import { Adam, clipGradNorm, Mlp, type JsForward } from '../nn';
import { Rng, type RngState } from '../rng';
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std';
import type { AlgoCheckpoint, Algorithm, EpisodeRecord, IterationResult } from './types';
import { clampLogStd } from './gaussian';

export const PPO_NET_ARCH_CHOICES = ['64-64', '32-32', '16-16', '128-128', '256-256', '64', '400-300'];

export const PPO_SPACE: readonly HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 0.1, scale: 'log', mutable: true, description: 'Adam step size (the base value when lr_schedule is linear)' },
  { name: 'lr_schedule', type: 'choice', default: 'constant', choices: ['constant', 'linear'], scale: 'linear', mutable: true, description: 'linear: learning_rate × remaining fraction of the step budget (zoo "lin_")' },
  { name: 'n_steps', type: 'int', default: 2048, min: 4, max: 16384, scale: 'log', mutable: true, description: 'steps per env copy in each rollout (rollout size = n_steps × n_envs)' },
  { name: 'batch_size', type: 'int', default: 64, min: 4, max: 65536, scale: 'log', mutable: true, description: 'minibatch size of each gradient step' },
  { name: 'n_epochs', type: 'int', default: 10, min: 1, max: 100, scale: 'linear', mutable: true, description: 'passes over each rollout' },
  { name: 'gamma', type: 'float', default: 0.99, min: 0, max: 0.9999, scale: 'linear', mutable: true, description: 'discount factor' },
  { name: 'gae_lambda', type: 'float', default: 0.95, min: 0, max: 1, scale: 'linear', mutable: true, description: 'GAE bias/variance trade-off (1 = Monte Carlo, 0 = TD(0))' },
  { name: 'clip_range', type: 'float', default: 0.2, min: 0.001, max: 1, scale: 'linear', mutable: true, description: 'PPO ratio clip ε (the base value when clip_range_schedule is linear)' },
  { name: 'clip_range_schedule', type: 'choice', default: 'constant', choices: ['constant', 'linear'], scale: 'linear', mutable: true, description: 'linear: clip_range × remaining fraction of the step budget' },
  { name: 'clip_range_vf', type: 'float', default: 0, min: 0, max: 100, scale: 'linear', mutable: true, description: 'value-prediction clip around the old value (0 = off, SB3 None)' },
  { name: 'normalize_advantage', type: 'bool', default: true, scale: 'linear', mutable: true, description: 'normalise advantages per minibatch' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 1, scale: 'linear', steps: 'ratio', mutable: true, description: 'entropy bonus coefficient' },
  { name: 'vf_coef', type: 'float', default: 0.5, min: 0, max: 10, scale: 'linear', mutable: true, description: 'value loss coefficient' },
  { name: 'max_grad_norm', type: 'float', default: 0.5, min: 0.001, max: 1000, scale: 'log', mutable: true, description: 'gradients are rescaled to at most this global L2 norm' },
  { name: 'target_kl', type: 'float', default: 0, min: 0, max: 10, scale: 'linear', mutable: true, description: 'stop the epochs when approx KL > 1.5 × target_kl (0 = off, SB3 None)' },
  { name: 'n_envs', type: 'int', default: 1, min: 1, max: 256, scale: 'log', mutable: false, description: 'parallel env copies (fixes the rollout layout)' },
  { name: 'net_arch', type: 'choice', default: '64-64', choices: PPO_NET_ARCH_CHOICES, scale: 'linear', mutable: false, description: 'hidden sizes of the actor and of the critic (fixes the networks)' },
  { name: 'activation_fn', type: 'choice', default: 'tanh', choices: ['tanh', 'relu'], scale: 'linear', mutable: false, description: 'hidden activation (fixes the networks)' },
  { name: 'log_std_init', type: 'float', default: 0, min: -5, max: 2, scale: 'linear', mutable: false, description: 'initial log std of the Gaussian policy (continuous actions; used at initialisation only)' },
  { name: 'normalize_obs', type: 'bool', default: false, scale: 'linear', mutable: false, description: 'normalise observations with running mean/std, clipped to ±10 (switching mid-run would change what the network sees)' },
];

export interface PpoOptions {
  envId: string;
  /** Hyperparameters that differ from the space's defaults (checked; throws with the reason). */
  values?: HyperparamValues;
  seed?: number;
  /** The run's step budget: linear schedules decay over it (SB3's total_timesteps). */
  totalSteps?: number;
  /** Env options, e.g. a shorter time limit (maxEpisodeSteps). */
  envOptions?: MakeEnvOptions;
}

interface Rollout {
  nSteps: number;
  nEnvs: number;
  obs: Float32Array; // [T*N, obsDim] (as the network saw them)
  actions: Float32Array; // [T*N, actDim] (discrete: the index)
  logp: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  /** V(final obs) of a time-limit cut at this step (0 otherwise); added as gamma·value at GAE time. */
  truncValue: Float32Array;
  /** 1 where the step ended its episode (terminated or truncated). */
  dones: Uint8Array;
  advantages: Float32Array;
  returns: Float32Array;
}

function parseArch(v: unknown): number[] {
  const parts = String(v).split('-').map(Number);
  if (!parts.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`net_arch must be hidden sizes joined by "-", got ${String(v)}`);
  return parts;
}

const LOG_2PI = Math.log(2 * Math.PI);

export class Ppo implements Algorithm {
  readonly algo = 'ppo' as const;
  readonly space = PPO_SPACE;
  private hp: HyperparamValues;
  private readonly env: VectorEnv;
  private readonly net: Mlp;
  private readonly discrete: boolean;
  private readonly nA: number; // discrete: number of actions; continuous: action dims
  private readonly obsDim: number;
  private readonly actLow: number[];
  private readonly actHigh: number[];
  /** Flat parameters: [ mlp (actor tower, critic tower) | log_std (continuous only) ]. */
  readonly params: Float32Array;
  private readonly grad: Float32Array;
  private readonly opt: Adam;
  private readonly rng: Rng;
  private readonly obsRms: RunningMeanStd | undefined;
  private readonly totalSteps: number;
  private step = 0;
  private updates = 0;
  private iterations = 0;
  private rollout: Rollout | undefined;
  /** The policy compiled for JS acting; rebuilt whenever the parameters change. */
  private policyJs: JsForward;
  private readonly obsScratch: Float32Array;
  private readonly outScratch: Float32Array;
  private readonly envActions: Float32Array;

  constructor(opts: PpoOptions) {
    const checked = checkValues(PPO_SPACE, opts.values ?? {});
    if (!checked.ok) throw new Error(`ppo: ${checked.error}`);
    this.hp = { ...defaultValues(PPO_SPACE), ...checked.value };
    const seed = opts.seed ?? 0;
    this.totalSteps = opts.totalSteps ?? 1_000_000;
    this.rng = new Rng(seed);
    const nEnvs = this.hp.n_envs as number;
    this.env = makeVectorEnv(opts.envId, nEnvs, opts.envOptions);
    this.obsDim = this.env.obsDim;
    const as = this.env.actionSpace;
    this.discrete = as.kind === 'discrete';
    this.nA = as.kind === 'discrete' ? as.n : as.shape.reduce((a, b) => a * b, 1);
    this.actLow = as.kind === 'box' ? as.low : [];
    this.actHigh = as.kind === 'box' ? as.high : [];
    this.net = new Mlp({ input: this.obsDim, hidden: parseArch(this.hp.net_arch), towers: [this.nA, 1], activation: this.hp.activation_fn === 'relu' ? 'relu' : 'tanh' });
    const nLogStd = this.discrete ? 0 : this.nA;
    this.params = new Float32Array(this.net.nParams + nLogStd);
    this.grad = new Float32Array(this.params.length);
    this.net.init(this.params, this.rng, [0.01, 1]);
    if (!this.discrete) this.params.fill(this.hp.log_std_init as number, this.net.nParams);
    this.policyJs = this.net.compileJs(this.params);
    this.opt = new Adam(this.params.length, 0.9, 0.999, 1e-5); // SB3 PPO uses Adam eps 1e-5
    this.obsRms = this.hp.normalize_obs ? new RunningMeanStd(this.obsDim) : undefined;
    this.obsScratch = new Float32Array(nEnvs * this.obsDim);
    this.outScratch = new Float32Array(nEnvs * this.net.nOut);
    this.envActions = new Float32Array(nEnvs * this.env.actDim);
    this.env.reset(seed);
    if (this.obsRms) this.obsRms.update(this.env.obs, nEnvs);
  }

  get globalStep(): number {
    return this.step;
  }

  /** Gradient steps taken so far. */
  get gradientSteps(): number {
    return this.updates;
  }

  values(): HyperparamValues {
    return { ...this.hp };
  }

  set(values: HyperparamValues): void {
    for (const k of Object.keys(values)) {
      const spec = findSpec(PPO_SPACE, k);
      if (spec && !spec.mutable) throw new Error(`ppo: ${k} cannot change during a run (${spec.description}); start a new run to change it`);
    }
    const checked = checkValues(PPO_SPACE, values);
    if (!checked.ok) throw new Error(`ppo: ${checked.error}`);
    this.hp = { ...this.hp, ...checked.value };
  }

  /** Remaining fraction of the step budget, as SB3 computes it after each rollout. */
  private progressRemaining(): number {
    return Math.max(0, 1 - this.step / this.totalSteps);
  }

  /** Effective learning rate and clip range for the next update. */
  effective(): { learningRate: number; clipRange: number } {
    const p = this.progressRemaining();
    const lr = this.hp.learning_rate as number;
    const clip = this.hp.clip_range as number;
    return {
      learningRate: this.hp.lr_schedule === 'linear' ? lr * p : lr,
      clipRange: this.hp.clip_range_schedule === 'linear' ? clip * p : clip,
    };
  }

  /** Network input for raw observations (normalised when normalize_obs). */
  private normalise(raw: Float32Array, rows: number, out: Float32Array): Float32Array {
    if (!this.obsRms) {
      out.set(raw.subarray(0, rows * this.obsDim));
      return out;
    }
    this.obsRms.normalise(raw, rows, out);
    return out;
  }

  act(obs: ArrayLike<number>): number | number[] {
    const x = new Float32Array(this.obsDim);
    for (let i = 0; i < this.obsDim; i++) x[i] = obs[i]!;
    const xn = this.normalise(x, 1, new Float32Array(this.obsDim));
    const out = this.policyJs.forward(xn, 1);
    if (this.discrete) {
      let best = 0;
      for (let j = 1; j < this.nA; j++) if (out[j]! > out[best]!) best = j;
      return best;
    }
    const a: number[] = [];
    for (let j = 0; j < this.nA; j++) a.push(Math.min(this.actHigh[j]!, Math.max(this.actLow[j]!, out[j]!)));
    return a;
  }

  private ensureRollout(nSteps: number): Rollout {
    const nEnvs = this.env.numEnvs;
    const r = this.rollout;
    if (r && r.nSteps === nSteps) return r;
    const n = nSteps * nEnvs;
    const actDim = this.discrete ? 1 : this.nA;
    this.rollout = {
      nSteps,
      nEnvs,
      obs: new Float32Array(n * this.obsDim),
      actions: new Float32Array(n * actDim),
      logp: new Float32Array(n),
      values: new Float32Array(n),
      rewards: new Float32Array(n),
      truncValue: new Float32Array(n),
      dones: new Uint8Array(n),
      advantages: new Float32Array(n),
      returns: new Float32Array(n),
    };
    return this.rollout;
  }

  /** The last rollout's buffers (read-only views, for diagnostics and tests). */
  lastRollout(): Readonly<Rollout> | undefined {
    return this.rollout;
  }

  private collect(r: Rollout): EpisodeRecord[] {
    const env = this.env;
    const N = env.numEnvs;
    const D = this.obsDim;
    const nOut = this.net.nOut;
    const A = this.nA;
    const episodes: EpisodeRecord[] = [];
    const actDim = this.discrete ? 1 : A;
    const logStdOff = this.net.nParams;
    for (let t = 0; t < r.nSteps; t++) {
      const xn = this.normalise(env.obs, N, this.obsScratch);
      const out = this.policyJs.forward(xn, N, this.outScratch);
      r.obs.set(xn, t * N * D);
      for (let i = 0; i < N; i++) {
        const row = t * N + i;
        const o = i * nOut;
        r.values[row] = out[o + A]!;
        if (this.discrete) {
          // sample from softmax(logits)
          let m = -Infinity;
          for (let j = 0; j < A; j++) m = Math.max(m, out[o + j]!);
          let z = 0;
          for (let j = 0; j < A; j++) z += Math.exp(out[o + j]! - m);
          let u = this.rng.random() * z;
          let a = A - 1;
          for (let j = 0; j < A; j++) {
            u -= Math.exp(out[o + j]! - m);
            if (u < 0) {
              a = j;
              break;
            }
          }
          r.actions[row] = a;
          r.logp[row] = out[o + a]! - m - Math.log(z);
          this.envActions[i] = a;
        } else {
          let lp = 0;
          for (let j = 0; j < A; j++) {
            const ls = this.params[logStdOff + j]!;
            const eps = this.rng.normal();
            const a = out[o + j]! + Math.exp(ls) * eps;
            r.actions[row * actDim + j] = a;
            lp += -0.5 * eps * eps - ls - 0.5 * LOG_2PI;
            this.envActions[i * env.actDim + j] = Math.min(this.actHigh[j]!, Math.max(this.actLow[j]!, a));
          }
          r.logp[row] = lp;
        }
      }
      env.step(this.envActions);
      this.step += N;
      if (this.obsRms) this.obsRms.update(env.obs, N);
      for (let i = 0; i < N; i++) {
        const row = t * N + i;
        r.rewards[row] = env.rewards[i]!;
        const done = env.terminated[i]! === 1 || env.truncated[i]! === 1;
        r.dones[row] = done ? 1 : 0;
        r.truncValue[row] = 0;
        if (env.truncated[i]! === 1 && env.terminated[i]! === 0) {
          const fin = this.normalise(env.finalObs.subarray(i * D, (i + 1) * D), 1, new Float32Array(D));
          r.truncValue[row] = this.policyJs.forward(fin, 1)[A]!;
        }
      }
      for (const e of env.drainEpisodes()) episodes.push({ return: e.return, length: e.length });
    }
    return episodes;
  }

  /** GAE(λ) with the CURRENT gamma and gae_lambda (SB3's compute_returns_and_advantage). */
  private computeAdvantages(r: Rollout): void {
    const gamma = this.hp.gamma as number;
    const lambda = this.hp.gae_lambda as number;
    const N = r.nEnvs;
    const xn = this.normalise(this.env.obs, N, this.obsScratch);
    const out = this.policyJs.forward(xn, N, this.outScratch);
    const nOut = this.net.nOut;
    for (let i = 0; i < N; i++) {
      let lastGae = 0;
      let nextValue = out[i * nOut + this.nA]!;
      for (let t = r.nSteps - 1; t >= 0; t--) {
        const row = t * N + i;
        const nonTerminal = r.dones[row] ? 0 : 1;
        const reward = r.rewards[row]! + gamma * r.truncValue[row]!;
        const delta = reward + gamma * nextValue * nonTerminal - r.values[row]!;
        lastGae = delta + gamma * lambda * nonTerminal * lastGae;
        r.advantages[row] = lastGae;
        r.returns[row] = lastGae + r.values[row]!;
        nextValue = r.values[row]!;
      }
    }
  }

  async iterate(): Promise<IterationResult> {
    const r = this.ensureRollout(this.hp.n_steps as number);
    const episodes = this.collect(r);
    this.computeAdvantages(r);
    const stats = this.train(r);
    this.policyJs = this.net.compileJs(this.params);
    this.iterations++;
    return { envSteps: r.nSteps * r.nEnvs, episodes, stats };
  }

  private train(r: Rollout): Record<string, number> {
    const hp = this.hp;
    const { learningRate, clipRange } = this.effective();
    const clipVf = hp.clip_range_vf as number;
    const entCoef = hp.ent_coef as number;
    const vfCoef = hp.vf_coef as number;
    const maxGradNorm = hp.max_grad_norm as number;
    const targetKl = hp.target_kl as number;
    const normAdv = hp.normalize_advantage === true;
    const nEpochs = hp.n_epochs as number;
    const n = r.nSteps * r.nEnvs;
    const batchSize = Math.min(hp.batch_size as number, n);
    const D = this.obsDim;
    const A = this.nA;
    const nOut = this.net.nOut;
    const actDim = this.discrete ? 1 : A;
    const nNet = this.net.nParams;
    const netParams = this.params.subarray(0, nNet);
    const netGrad = this.grad.subarray(0, nNet);
    const logStdOff = nNet;

    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const x = new Float32Array(batchSize * D);
    const dOut = new Float32Array(batchSize * nOut);
    const advMb = new Float64Array(batchSize);
    const sums = { pg: 0, vf: 0, ent: 0, loss: 0, kl: 0, clipfrac: 0, gradNorm: 0, clippedNorm: 0, mbs: 0 };
    let updates = 0;
    let skipped = 0;
    let epochsDone = 0;
    let earlyStop = false;

    for (let epoch = 0; epoch < nEpochs && !earlyStop; epoch++) {
      this.rng.shuffle(idx);
      for (let start = 0; start < n; start += batchSize) {
        const mb = Math.min(batchSize, n - start);
        const xs = mb === batchSize ? x : x.subarray(0, mb * D);
        for (let k = 0; k < mb; k++) {
          const row = idx[start + k]!;
          xs.set(r.obs.subarray(row * D, (row + 1) * D), k * D);
        }
        // advantages of the minibatch, normalised as SB3 does (when more than one sample)
        let mean = 0;
        for (let k = 0; k < mb; k++) mean += (advMb[k] = r.advantages[idx[start + k]!]!);
        mean /= mb;
        if (normAdv && mb > 1) {
          let v = 0;
          for (let k = 0; k < mb; k++) v += (advMb[k]! - mean) ** 2;
          const std = Math.sqrt(v / (mb - 1)); // torch .std() is unbiased
          for (let k = 0; k < mb; k++) advMb[k] = (advMb[k]! - mean) / (std + 1e-8);
        }
        const pass = this.net.trainPass(netParams, xs, mb);
        const out = pass.out;
        const dO = mb === batchSize ? dOut : dOut.subarray(0, mb * nOut);
        dO.fill(0);
        let pg = 0;
        let vf = 0;
        let ent = 0;
        let kl = 0;
        let clipped = 0;
        const logStdGrad = new Float64Array(this.discrete ? 0 : A);
        const probs = new Float64Array(A);
        for (let k = 0; k < mb; k++) {
          const row = idx[start + k]!;
          const o = k * nOut;
          const adv = advMb[k]!;
          let logpNew: number;
          let entropy: number;
          if (this.discrete) {
            let m = -Infinity;
            for (let j = 0; j < A; j++) m = Math.max(m, out[o + j]!);
            let z = 0;
            for (let j = 0; j < A; j++) z += (probs[j] = Math.exp(out[o + j]! - m));
            const logZ = Math.log(z) + m;
            entropy = 0;
            for (let j = 0; j < A; j++) {
              probs[j] = probs[j]! / z;
              if (probs[j]! > 0) entropy -= probs[j]! * (out[o + j]! - logZ);
            }
            const a = r.actions[row]!;
            logpNew = out[o + a]! - logZ;
          } else {
            logpNew = 0;
            entropy = 0;
            for (let j = 0; j < A; j++) {
              const ls = this.params[logStdOff + j]!;
              const z = (r.actions[row * actDim + j]! - out[o + j]!) / Math.exp(ls);
              logpNew += -0.5 * z * z - ls - 0.5 * LOG_2PI;
              entropy += 0.5 + 0.5 * LOG_2PI + ls;
            }
          }
          const logRatio = logpNew - r.logp[row]!;
          const ratio = Math.exp(logRatio);
          const clippedRatio = Math.min(1 + clipRange, Math.max(1 - clipRange, ratio));
          const s1 = adv * ratio;
          const s2 = adv * clippedRatio;
          pg += -Math.min(s1, s2);
          kl += ratio - 1 - logRatio;
          if (Math.abs(ratio - 1) > clipRange) clipped++;
          ent += entropy;
          // d(policy loss)/d(logp_new): gradient flows through the smaller surrogate term
          const gradThrough = s1 <= s2 || (ratio > 1 - clipRange && ratio < 1 + clipRange);
          const dLogp = gradThrough ? (-adv * ratio) / mb : 0;
          // value loss (SB3: mse against the optionally clipped prediction)
          const vNew = out[o + A]!;
          const vOld = r.values[row]!;
          let vPred = vNew;
          let dvPred = 1;
          if (clipVf > 0) {
            const d = vNew - vOld;
            if (d > clipVf || d < -clipVf) dvPred = 0;
            vPred = vOld + Math.min(clipVf, Math.max(-clipVf, d));
          }
          const err = vPred - r.returns[row]!;
          vf += err * err;
          dO[o + A] = (vfCoef * 2 * err * dvPred) / mb;
          if (this.discrete) {
            const a = r.actions[row]!;
            const H = entropy;
            for (let j = 0; j < A; j++) {
              const p = probs[j]!;
              const logp = p > 0 ? Math.log(p) : 0;
              // dlogp(a)/dlogit_j = 1[j=a] − p_j ; d(−H)/dlogit_j = p_j (log p_j + H)
              dO[o + j] = dLogp * ((j === a ? 1 : 0) - p) + (entCoef * p * (logp + H)) / mb;
            }
          } else {
            for (let j = 0; j < A; j++) {
              const std = Math.exp(this.params[logStdOff + j]!);
              const diff = r.actions[row * actDim + j]! - out[o + j]!;
              dO[o + j] = dLogp * (diff / (std * std));
              // dlogp/dlog_std = z² − 1 ; d(−H)/dlog_std = −1 per sample
              logStdGrad[j] += dLogp * ((diff * diff) / (std * std) - 1) - entCoef / mb;
            }
          }
        }
        const approxKl = kl / mb;
        if (targetKl > 0 && approxKl > 1.5 * targetKl) {
          // SB3 checks before the optimiser step and stops all remaining epochs
          pass.dispose();
          earlyStop = true;
          sums.kl += approxKl;
          break;
        }
        pass.backward(dO, netGrad);
        for (let j = 0; j < logStdGrad.length; j++) this.grad[logStdOff + j] = logStdGrad[j]!;
        const norm = clipGradNorm(this.grad, maxGradNorm);
        // A NaN or infinite gradient would make every parameter NaN for good (clipping scales
        // by maxNorm / NaN): skip that step, and say so when every step of an update is skipped.
        if (!Number.isFinite(norm)) {
          skipped++;
          continue;
        }
        this.opt.step(this.params, this.grad, learningRate);
        // The Gaussian's log std is kept in gaussian.ts's bounds (SAC's convention): an entropy
        // bonus pulls it up without bound, and with a large rate it overflowed exp() within one
        // update (ent_coef 0.5, learning_rate 0.009 on Pendulum: NaN actions).
        for (let j = 0; j < logStdGrad.length; j++) this.params[logStdOff + j] = clampLogStd(this.params[logStdOff + j]!);
        updates++;
        sums.pg += pg / mb;
        sums.vf += vf / mb;
        sums.ent += ent / mb;
        sums.loss += pg / mb - entCoef * (ent / mb) + vfCoef * (vf / mb);
        sums.kl += approxKl;
        sums.clipfrac += clipped / mb;
        sums.gradNorm += norm;
        sums.clippedNorm += Math.min(norm, maxGradNorm);
        sums.mbs++;
      }
      if (!earlyStop) epochsDone++;
    }
    if (skipped > 0 && updates === 0)
      throw new Error(
        `PPO's gradient was not finite (NaN or infinite) in every one of the ${skipped} minibatches of this update: training diverged (learning_rate ${learningRate}, ent_coef ${entCoef}, clip_range ${clipRange}, max_grad_norm ${maxGradNorm}). Lower learning_rate or ent_coef and resume from an earlier checkpoint.`,
      );
    this.updates += updates;
    const k = Math.max(1, sums.mbs);
    return {
      'losses/policy_loss': sums.pg / k,
      'losses/value_loss': sums.vf / k,
      'losses/entropy': sums.ent / k,
      'losses/loss': sums.loss / k,
      'losses/approx_kl': sums.kl / Math.max(1, sums.mbs + (earlyStop ? 1 : 0)),
      'losses/clipfrac': sums.clipfrac / k,
      'losses/grad_norm': sums.gradNorm / k,
      'losses/clipped_grad_norm': sums.clippedNorm / k,
      'losses/explained_variance': explainedVariance(r.values, r.returns),
      'charts/learning_rate': learningRate,
      'charts/clip_range': clipRange,
      'train/updates': updates,
      'train/epochs': epochsDone,
      'train/early_stop': earlyStop ? 1 : 0,
      'train/n_updates': this.updates,
      'train/skipped_nonfinite': skipped,
    };
  }

  async checkpoint(): Promise<AlgoCheckpoint> {
    const json: Record<string, unknown> = {
      values: { ...this.hp },
      step: this.step,
      updates: this.updates,
      iterations: this.iterations,
      totalSteps: this.totalSteps,
      rng: this.rng.getState(),
      adamT: this.opt.t,
      env: this.env.snapshot(),
      obsRms: this.obsRms ? { count: this.obsRms.count } : null,
    };
    const arrays: AlgoCheckpoint['arrays'] = {
      params: this.params.slice(),
      adam_m: this.opt.m.slice(),
      adam_v: this.opt.v.slice(),
    };
    if (this.obsRms) {
      arrays.obs_mean = this.obsRms.mean.slice();
      arrays.obs_var = this.obsRms.var.slice();
    }
    return { algo: 'ppo', json, arrays };
  }

  async restore(ckpt: AlgoCheckpoint): Promise<void> {
    if (ckpt.algo !== 'ppo') throw new Error(`this is a ${ckpt.algo} checkpoint; a ppo run cannot restore it`);
    const j = ckpt.json;
    const values = j.values as HyperparamValues | undefined;
    if (!values || typeof values !== 'object') throw new Error('ppo checkpoint: missing "values"');
    for (const spec of PPO_SPACE) {
      if (!spec.mutable && spec.name !== 'log_std_init' && values[spec.name] !== this.hp[spec.name])
        throw new Error(`ppo checkpoint was made with ${spec.name} = ${String(values[spec.name])}, this run has ${String(this.hp[spec.name])}: create the run with the checkpoint's values`);
    }
    const checked = checkValues(PPO_SPACE, values);
    if (!checked.ok) throw new Error(`ppo checkpoint: ${checked.error}`);
    const params = ckpt.arrays.params;
    const m = ckpt.arrays.adam_m;
    const v = ckpt.arrays.adam_v;
    for (const [name, a] of [['params', params], ['adam_m', m], ['adam_v', v]] as const)
      if (!(a instanceof Float32Array) || a.length !== this.params.length)
        throw new Error(`ppo checkpoint: array ${name} should be a Float32Array of ${this.params.length}, got ${a ? `${a.constructor.name} of ${a.length}` : 'nothing'}`);
    if (typeof j.step !== 'number' || typeof j.updates !== 'number' || typeof j.adamT !== 'number') throw new Error('ppo checkpoint: missing counters');
    this.hp = { ...defaultValues(PPO_SPACE), ...checked.value };
    this.params.set(params as Float32Array);
    this.policyJs = this.net.compileJs(this.params);
    this.opt.setState({ m: m as Float32Array, v: v as Float32Array, t: j.adamT });
    this.step = j.step;
    this.updates = j.updates;
    this.iterations = typeof j.iterations === 'number' ? j.iterations : 0;
    this.rng.setState(j.rng as { s: RngState; spare: number | null });
    this.env.restore(j.env as VectorEnvSnapshot);
    if (this.obsRms) {
      const mean = ckpt.arrays.obs_mean;
      const variance = ckpt.arrays.obs_var;
      const rms = j.obsRms as { count?: unknown } | null;
      if (!(mean instanceof Float64Array) || !(variance instanceof Float64Array) || !rms || typeof rms.count !== 'number')
        throw new Error('ppo checkpoint: normalize_obs is on but the observation statistics are missing');
      this.obsRms.setState({ mean, var: variance, count: rms.count } satisfies RunningMeanStdState);
    }
  }

  dispose(): void {
    this.rollout = undefined;
  }
}

function explainedVariance(pred: Float32Array, target: Float32Array): number {
  const n = target.length;
  let mt = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mt += target[i]!;
    md += target[i]! - pred[i]!;
  }
  mt /= n;
  md /= n;
  let vt = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vt += (target[i]! - mt) ** 2;
    vd += (target[i]! - pred[i]! - md) ** 2;
  }
  return vt === 0 ? NaN : 1 - vd / vt;
}

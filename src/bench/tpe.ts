// Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
// Hyper-Parameter Optimization"), the sampler behind the `tuned-static` baseline. Univariate,
// as Optuna's default TPESampler: after `startup` random trials, the trials seen so far are
// split into the best γ(n) = min(⌈0.1·n⌉, 25) ("good") and the rest; each hyperparameter gets
// two Parzen densities l(x) (good) and g(x) (rest) built in its own scale (log for log-scale
// parameters), and the next value is the one of `candidates` draws from l that maximises
// l(x) / g(x). Numeric densities are mixtures of Gaussians truncated to the bounds, one per
// observation plus a broad prior, with bandwidths from the distance to neighbouring
// observations clipped as in Hyperopt/Optuna ("magic clip"); choices and booleans use
// smoothed category counts. Seeded: the same seed and the same scores give the same trials.

import { Rng } from '../rl/rng';
import type { HyperparamSpec, HyperparamValue, HyperparamValues } from '../shared/hyperparams';

export interface Trial {
  values: HyperparamValues;
  /** The objective; NaN or ±Infinity (a failed trial) ranks below every finite score. */
  score: number;
}

export interface SamplerOptions {
  seed?: number;
  /** Trials drawn uniformly (log-uniformly on log scales) before TPE takes over (default 10). */
  startup?: number;
  /** Draws from l(x) scored per parameter (default 24). */
  candidates?: number;
  direction?: 'maximize' | 'minimize';
}

export interface Sampler {
  ask(): HyperparamValues;
  tell(values: HyperparamValues, score: number): void;
  readonly trials: readonly Trial[];
  best(): Trial | undefined;
}

// --- numeric parameters in their own (possibly log) scale --------------------------------

interface NumericDomain {
  lo: number;
  hi: number;
  log: boolean;
  int: boolean;
}

function numericDomain(spec: HyperparamSpec): NumericDomain {
  if (spec.min === undefined || spec.max === undefined) throw new RangeError(`cannot search ${spec.name}: numeric parameters need min and max`);
  const log = spec.scale === 'log';
  if (log && spec.min <= 0) throw new RangeError(`cannot search ${spec.name} on a log scale: its minimum ${spec.min} is not positive`);
  return { lo: log ? Math.log(spec.min) : spec.min, hi: log ? Math.log(spec.max) : spec.max, log, int: spec.type === 'int' };
}

function toInternal(d: NumericDomain, v: number): number {
  const x = d.log ? Math.log(v) : v;
  return Math.min(d.hi, Math.max(d.lo, x));
}

function fromInternal(d: NumericDomain, spec: HyperparamSpec, x: number): number {
  let v = d.log ? Math.exp(x) : x;
  if (d.int) v = Math.round(v);
  return Math.min(spec.max!, Math.max(spec.min!, v));
}

function choicesOf(spec: HyperparamSpec): HyperparamValue[] {
  if (spec.type === 'bool') return [false, true];
  const c = spec.choices ?? [];
  if (c.length === 0) throw new RangeError(`cannot search ${spec.name}: a choice parameter needs "choices"`);
  return c;
}

// --- truncated Gaussian mixture ----------------------------------------------------------

// erf with |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26): ample for ranking candidates.
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export class TruncatedMixture {
  private readonly logNorm: number[];

  constructor(
    readonly mus: readonly number[],
    readonly sigmas: readonly number[],
    readonly weights: readonly number[],
    readonly lo: number,
    readonly hi: number,
  ) {
    // log of the probability mass each component keeps inside [lo, hi]
    this.logNorm = mus.map((m, i) => Math.log(Math.max(1e-300, normalCdf((hi - m) / sigmas[i]!) - normalCdf((lo - m) / sigmas[i]!))));
  }

  /**
   * Parzen estimator of observations `obs` (already in internal scale) on [lo, hi]: one
   * component per observation, plus a prior centred on the range with σ = the range
   * (weight `priorWeight`), bandwidths from neighbouring points with the magic clip.
   */
  static fit(obs: readonly number[], lo: number, hi: number, priorWeight = 1): TruncatedMixture {
    const range = hi - lo;
    const prior = (lo + hi) / 2;
    const points = [...obs, prior];
    const order = points.map((_, i) => i).sort((a, b) => points[a]! - points[b]!);
    const sorted = order.map((i) => points[i]!);
    const withEnds = [lo, ...sorted, hi];
    const sigmaSorted = sorted.map((_, k) => Math.max(withEnds[k + 1]! - withEnds[k]!, withEnds[k + 2]! - withEnds[k + 1]!));
    const sigmas = new Array<number>(points.length);
    order.forEach((i, k) => (sigmas[i] = sigmaSorted[k]!));
    const minSigma = range / Math.min(100, 1 + points.length);
    for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]!));
    sigmas[points.length - 1] = range; // the prior stays broad
    const w = points.map((_, i) => (i === points.length - 1 ? priorWeight : 1));
    const total = w.reduce((a, b) => a + b, 0);
    return new TruncatedMixture(points, sigmas, w.map((x) => x / total), lo, hi);
  }

  logPdf(x: number): number {
    if (x < this.lo || x > this.hi) return -Infinity;
    let max = -Infinity;
    const terms = this.mus.map((m, i) => {
      const s = this.sigmas[i]!;
      const z = (x - m) / s;
      const t = Math.log(this.weights[i]!) - 0.5 * z * z - Math.log(s) - LOG_SQRT_2PI - this.logNorm[i]!;
      if (t > max) max = t;
      return t;
    });
    if (max === -Infinity) return -Infinity;
    return max + Math.log(terms.reduce((a, t) => a + Math.exp(t - max), 0));
  }

  sample(rng: Rng): number {
    let u = rng.random();
    let k = 0;
    while (k < this.weights.length - 1 && u >= this.weights[k]!) u -= this.weights[k++]!;
    const m = this.mus[k]!;
    const s = this.sigmas[k]!;
    for (let tries = 0; tries < 100; tries++) {
      const x = m + s * rng.normal();
      if (x >= this.lo && x <= this.hi) return x;
    }
    return Math.min(this.hi, Math.max(this.lo, m)); // practically unreachable: m lies in range
  }
}

// --- categorical ---------------------------------------------------------------------

function categoricalWeights(obs: readonly number[], k: number): number[] {
  const counts = new Array<number>(k).fill(1 / k); // the prior: one pseudo-observation spread evenly
  for (const i of obs) counts[i]! += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

function sampleIndex(w: readonly number[], rng: Rng): number {
  let u = rng.random();
  for (let i = 0; i < w.length - 1; i++) {
    if (u < w[i]!) return i;
    u -= w[i]!;
  }
  return w.length - 1;
}

// --- samplers --------------------------------------------------------------------------

function rankKey(score: number, direction: 'maximize' | 'minimize'): number {
  if (!Number.isFinite(score)) return -Infinity;
  return direction === 'maximize' ? score : -score;
}

function checkSpace(space: readonly HyperparamSpec[]): void {
  if (space.length === 0) throw new RangeError('the search space is empty: name at least one hyperparameter to search');
  for (const s of space) if (s.type === 'float' || s.type === 'int') numericDomain(s);
  else choicesOf(s);
}

function randomValue(spec: HyperparamSpec, rng: Rng): HyperparamValue {
  if (spec.type === 'float' || spec.type === 'int') {
    const d = numericDomain(spec);
    return fromInternal(d, spec, rng.uniform(d.lo, d.hi));
  }
  const c = choicesOf(spec);
  return c[rng.int(c.length)]!;
}

/** Uniform (log-uniform on log scales) random search: the baseline TPE must beat. */
export class RandomSampler implements Sampler {
  private readonly rng: Rng;
  private readonly history: Trial[] = [];
  private readonly direction: 'maximize' | 'minimize';

  constructor(
    private readonly space: readonly HyperparamSpec[],
    options: SamplerOptions = {},
  ) {
    checkSpace(space);
    this.rng = new Rng(options.seed ?? 0);
    this.direction = options.direction ?? 'maximize';
  }

  ask(): HyperparamValues {
    const out: HyperparamValues = {};
    for (const s of this.space) out[s.name] = randomValue(s, this.rng);
    return out;
  }

  tell(values: HyperparamValues, score: number): void {
    this.history.push({ values: { ...values }, score });
  }

  get trials(): readonly Trial[] {
    return this.history;
  }

  best(): Trial | undefined {
    return bestOf(this.history, this.direction);
  }
}

function bestOf(trials: readonly Trial[], direction: 'maximize' | 'minimize'): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) if (!best || rankKey(t.score, direction) > rankKey(best.score, direction)) best = t;
  return best;
}

/** γ(n): how many of n trials count as good (Optuna's default). */
export function goodCount(n: number): number {
  return Math.max(1, Math.min(Math.ceil(0.1 * n), 25));
}

export class TpeSampler implements Sampler {
  private readonly rng: Rng;
  private readonly history: Trial[] = [];
  private readonly queued: HyperparamValues[] = [];
  private readonly startup: number;
  private readonly candidates: number;
  private readonly direction: 'maximize' | 'minimize';

  constructor(
    private readonly space: readonly HyperparamSpec[],
    options: SamplerOptions = {},
  ) {
    checkSpace(space);
    this.rng = new Rng(options.seed ?? 0);
    this.startup = options.startup ?? 10;
    this.candidates = options.candidates ?? 24;
    this.direction = options.direction ?? 'maximize';
    if (!Number.isInteger(this.startup) || this.startup < 1) throw new RangeError(`startup must be a positive integer, got ${this.startup}`);
    if (!Number.isInteger(this.candidates) || this.candidates < 1) throw new RangeError(`candidates must be a positive integer, got ${this.candidates}`);
  }

  get trials(): readonly Trial[] {
    return this.history;
  }

  best(): Trial | undefined {
    return bestOf(this.history, this.direction);
  }

  tell(values: HyperparamValues, score: number): void {
    this.history.push({ values: { ...values }, score });
  }

  /**
   * Makes a given configuration the next trial (Optuna's `enqueue_trial`): a search can start
   * from a known-good point, such as the tuned preset. Keys outside the space are ignored;
   * missing ones are drawn at random.
   */
  enqueue(values: HyperparamValues): void {
    this.queued.push({ ...values });
  }

  ask(): HyperparamValues {
    const out: HyperparamValues = {};
    const q = this.queued.shift();
    if (q) {
      for (const s of this.space) out[s.name] = q[s.name] ?? randomValue(s, this.rng);
      return out;
    }
    if (this.history.length < this.startup) {
      for (const s of this.space) out[s.name] = randomValue(s, this.rng);
      return out;
    }
    // Stable sort, best first; ties keep the order they were told in.
    const ranked = this.history
      .map((t, i) => ({ t, i }))
      .sort((a, b) => rankKey(b.t.score, this.direction) - rankKey(a.t.score, this.direction) || a.i - b.i)
      .map((x) => x.t);
    const nGood = goodCount(ranked.length);
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);
    for (const s of this.space) out[s.name] = this.sampleParam(s, good, bad);
    return out;
  }

  private sampleParam(spec: HyperparamSpec, good: readonly Trial[], bad: readonly Trial[]): HyperparamValue {
    if (spec.type === 'float' || spec.type === 'int') {
      const d = numericDomain(spec);
      const obs = (ts: readonly Trial[]): number[] => ts.map((t) => t.values[spec.name]).filter((v): v is number => typeof v === 'number').map((v) => toInternal(d, v));
      const l = TruncatedMixture.fit(obs(good), d.lo, d.hi);
      const g = TruncatedMixture.fit(obs(bad), d.lo, d.hi);
      let bestX = l.sample(this.rng);
      let bestScore = l.logPdf(bestX) - g.logPdf(bestX);
      for (let i = 1; i < this.candidates; i++) {
        const x = l.sample(this.rng);
        const sc = l.logPdf(x) - g.logPdf(x);
        if (sc > bestScore) {
          bestScore = sc;
          bestX = x;
        }
      }
      return fromInternal(d, spec, bestX);
    }
    const choices = choicesOf(spec);
    const idx = (ts: readonly Trial[]): number[] =>
      ts.map((t) => choices.findIndex((c) => c === t.values[spec.name] || String(c) === String(t.values[spec.name]))).filter((i) => i >= 0);
    const wl = categoricalWeights(idx(good), choices.length);
    const wg = categoricalWeights(idx(bad), choices.length);
    let best = sampleIndex(wl, this.rng);
    let bestScore = Math.log(wl[best]!) - Math.log(wg[best]!);
    for (let i = 1; i < this.candidates; i++) {
      const k = sampleIndex(wl, this.rng);
      const sc = Math.log(wl[k]!) - Math.log(wg[k]!);
      if (sc > bestScore) {
        bestScore = sc;
        best = k;
      }
    }
    return choices[best]!;
  }
}

/**
 * Runs `trials` evaluations of `objective` with `sampler`, one after another, and returns
 * the best trial. The objective's cost (env steps for a training run) is the caller's to count.
 */
export async function optimise(sampler: Sampler, objective: (values: HyperparamValues, trial: number) => Promise<number>, trials: number): Promise<Trial> {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be a positive integer, got ${trials}`);
  for (let i = 0; i < trials; i++) {
    const v = sampler.ask();
    let score: number;
    try {
      score = await objective(v, i);
    } catch {
      score = Number.NaN; // a failed trial ranks last; the search goes on
    }
    sampler.tell(v, score);
  }
  return sampler.best()!;
}

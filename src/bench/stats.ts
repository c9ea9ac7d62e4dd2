// Aggregate statistics across seeds and tasks, following Agarwal et al. (2021), "Deep
// Reinforcement Learning at the Edge of the Statistical Precipice" (NeurIPS; the `rliable`
// library): interquartile mean, stratified bootstrap confidence intervals, and the
// probability of improvement. A handful of runs per task is the normal case in RL, so point
// estimates always come with an interval, and the bootstrap is seeded so a report is
// reproducible byte for byte.

import { Rng } from '../rl/rng';

/** Scores grouped by task: `strata[t]` holds one score per run (seed) of task t. */
export type Strata = readonly (readonly number[])[];

export interface Interval {
  /** The statistic on the original data. */
  point: number;
  lower: number;
  upper: number;
}

export interface BootstrapOptions {
  /** Bootstrap replicates (rliable uses 2000 by default; so do we). */
  reps?: number;
  /** Coverage of the interval, e.g. 0.95. */
  confidence?: number;
  seed?: number;
}

function requireNonEmpty(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new RangeError(`${what} of an empty list is undefined: pass at least one score`);
}

export function mean(xs: readonly number[]): number {
  requireNonEmpty(xs, 'the mean');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Linear-interpolation quantile of sorted-or-not data (numpy's default "linear" method):
 * position h = (n - 1) q between order statistics.
 */
export function quantile(xs: readonly number[], q: number): number {
  requireNonEmpty(xs, 'a quantile');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be in [0, 1], got ${q}`);
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Interquartile mean: the mean of the middle 50% of the scores, with fractional weights
 * when n is not a multiple of 4. Each sorted score x(i) owns the slice [i/n, (i+1)/n) of
 * the quantile axis; the IQM is the average of the quantile function over [0.25, 0.75],
 * i.e. sum_i x(i) * |[i/n, (i+1)/n) ∩ [0.25, 0.75]| / 0.5. For n divisible by 4 this is
 * exactly scipy's `trim_mean(x, 0.25)` that rliable uses; for other n it does not round
 * the cut (n = 5: 0.3 x(1) + 0.4 x(2) + 0.3 x(3)), so the estimate is continuous in n.
 */
export function iqm(xs: readonly number[]): number {
  requireNonEmpty(xs, 'the interquartile mean');
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const overlap = Math.min((i + 1) / n, 0.75) - Math.max(i / n, 0.25);
    if (overlap > 0) total += s[i]! * overlap;
  }
  return total / 0.5;
}

/** All scores of all strata in one list (the "runs × tasks" matrix, flattened). */
export function pooled(strata: Strata): number[] {
  return strata.flatMap((s) => [...s]);
}

function checkStrata(strata: Strata, what: string): void {
  if (strata.length === 0) throw new RangeError(`${what}: no tasks given`);
  strata.forEach((s, i) => {
    if (s.length === 0) throw new RangeError(`${what}: task ${i} has no runs; every task needs at least one score`);
    for (const x of s) if (!Number.isFinite(x)) throw new RangeError(`${what}: task ${i} has a non-finite score (${x}); drop failed runs before aggregating`);
  });
}

function resample(xs: readonly number[], rng: Rng): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[rng.int(xs.length)]!;
  return out;
}

function percentileInterval(point: number, replicates: number[], confidence: number): Interval {
  const tail = (1 - confidence) / 2;
  return { point, lower: quantile(replicates, tail), upper: quantile(replicates, 1 - tail) };
}

function resolve(options: BootstrapOptions): Required<BootstrapOptions> {
  const reps = options.reps ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`bootstrap reps must be a positive integer, got ${reps}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return { reps, confidence, seed: options.seed ?? 0 };
}

/**
 * Stratified bootstrap percentile interval: each replicate resamples the runs of every
 * task with replacement, within that task (so every task keeps its weight), and applies
 * `statistic` to the resampled strata.
 */
export function stratifiedBootstrap(strata: Strata, statistic: (strata: Strata) => number, options: BootstrapOptions = {}): Interval {
  checkStrata(strata, 'stratified bootstrap');
  const { reps, confidence, seed } = resolve(options);
  const rng = new Rng(seed);
  const replicates = new Array<number>(reps);
  for (let r = 0; r < reps; r++) replicates[r] = statistic(strata.map((s) => resample(s, rng)));
  return percentileInterval(statistic(strata), replicates, confidence);
}

/** IQM of all runs of all tasks, with a stratified bootstrap interval. */
export function iqmInterval(strata: Strata, options: BootstrapOptions = {}): Interval {
  return stratifiedBootstrap(strata, (s) => iqm(pooled(s)), options);
}

/** Mean of all runs of all tasks, with a stratified bootstrap interval. */
export function meanInterval(strata: Strata, options: BootstrapOptions = {}): Interval {
  return stratifiedBootstrap(strata, (s) => mean(pooled(s)), options);
}

/**
 * P(X > Y) for one task: the chance that a run of X scores higher than a run of Y, over
 * every pair of runs, ties counting one half (the Mann–Whitney U statistic divided by mn).
 */
export function pairwiseImprovement(x: readonly number[], y: readonly number[]): number {
  requireNonEmpty(x, 'a probability of improvement (X runs)');
  requireNonEmpty(y, 'a probability of improvement (Y runs)');
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}

/**
 * Probability of improvement of X over Y as rliable defines it: P(X > Y) per task,
 * averaged over tasks with equal weight. `x[t]` and `y[t]` are the two controllers' scores
 * on task t (same task order in both). The interval resamples X's and Y's runs
 * independently within each task.
 */
export function probabilityOfImprovement(x: Strata, y: Strata, options: BootstrapOptions = {}): Interval {
  checkStrata(x, 'probability of improvement (X)');
  checkStrata(y, 'probability of improvement (Y)');
  if (x.length !== y.length) throw new RangeError(`probability of improvement: X has ${x.length} tasks and Y has ${y.length}; compare the same tasks`);
  const { reps, confidence, seed } = resolve(options);
  const statistic = (xs: Strata, ys: Strata): number => mean(xs.map((xt, t) => pairwiseImprovement(xt, ys[t]!)));
  const rng = new Rng(seed);
  const replicates = new Array<number>(reps);
  for (let r = 0; r < reps; r++) {
    const xs = x.map((s) => resample(s, rng));
    const ys = y.map((s) => resample(s, rng));
    replicates[r] = statistic(xs, ys);
  }
  return percentileInterval(statistic(x, y), replicates, confidence);
}

// Supervised targets for the embedded controller, from dataset examples. Each head (one per
// hyperparameter) classifies the step to take among FACTORS. The oracle tried a few
// one-parameter steps; for a parameter the winning branch changed, the label is its step;
// for one some branch changed but lost (to keep or to another parameter), the label is
// "keep" (×1); a parameter no branch touched carries no information and is masked out of the
// loss. A user's decision labels only the parameters it changed.

import { COMPLEMENT_PARAMS } from '../bench/perturb';
import { ORACLE_FACTORS } from '../bench/oracle';
import { referenceFor } from '../bench/references';
import { SCALE_FREE_FEATURES } from '../copilot/summary';
import type { Example } from './dataset';

/** Big steps the v2 collect suites try (`$oracle.factors`): ×3 twice undoes a ×10 poor start. */
export const WIDE_FACTORS: readonly number[] = [1 / 3, 3];

/** The classes of every head: the bench oracle's steps, the wide ones, and "keep". */
export const FACTORS: readonly number[] = [...new Set([...ORACLE_FACTORS, ...WIDE_FACTORS, 1])].sort((a, b) => a - b);
export const KEEP = FACTORS.indexOf(1);

/** Features the embedded model does not read: throughput depends on machine load, not on training. */
export const EXCLUDED_FEATURES: readonly string[] = ['sps'];

/** Which features a model reads: every one (but EXCLUDED_FEATURES), the scale-free ones, or a list of names. */
export type FeatureSet = 'all' | 'scale-free' | string[];
export const FEATURE_SETS: readonly string[] = ['all', 'scale-free'];

/**
 * The features of a model meant to be read on environments it was not trained on: the run's
 * progress, returns in units of their spread (summary.ts, SCALE_FREE_FEATURES), the PPO
 * diagnostics that carry no reward scale (policy loss of normalised advantages, approximate
 * KL, clip fraction, explained variance) and the positions of the decided hyperparameters only.
 * Left out: raw returns, value loss and gradient norm (reward-scaled), episodes per interval
 * (episode length is the env's), entropy (its maximum is the action count's: entropy_ratio
 * instead) and the other hyperparameters (each env's preset sets them differently, so a model
 * would tell environments apart by them rather than learn what a state calls for).
 */
export function scaleFreeFeatureNames(params: readonly string[]): string[] {
  const diag = ['policyLoss', 'approxKl', 'clipFraction', 'explainedVariance'].flatMap((k) => [`diag_${k}`, `has_${k}`]);
  return ['progress', 'has_budget', ...SCALE_FREE_FEATURES, ...diag, ...params.map((p) => `hp_${p}`)];
}

/** The class whose factor is nearest to `f` on a log scale. */
export function nearestClass(f: number): number {
  let best = KEEP;
  let d = Infinity;
  FACTORS.forEach((x, i) => {
    const e = Math.abs(Math.log(x) - Math.log(f));
    if (e < d) {
      d = e;
      best = i;
    }
  });
  return best;
}

/** The step from `from` to `to` as a factor (distance to 1 for discount-like parameters). */
export function stepFactor(param: string, from: number, to: number): number {
  if (COMPLEMENT_PARAMS.includes(param) && from < 1 && to < 1) return (1 - to) / (1 - from);
  if (from === 0) return to > 0 ? FACTORS[FACTORS.length - 1]! : 1;
  return to / from;
}

/** Per head: the class index, or -1 when the example says nothing about that parameter. */
export function exampleLabels(e: Example, params: readonly string[]): number[] {
  if (e.source === 'decision') {
    return params.map((p) => {
      const from = e.values[p];
      const to = e.target[p];
      return typeof from === 'number' && typeof to === 'number' ? nearestClass(stepFactor(p, from, to)) : -1;
    });
  }
  const best = e.candidates[e.best]!;
  return params.map((p) => {
    if (best.change?.param === p) return nearestClass(best.change.factor);
    if (e.candidates.some((c) => c.change?.param === p)) return KEEP;
    return -1;
  });
}

/**
 * Whether an example says anything: when every branch scored the same, the changes made no
 * measurable difference within the horizon (e.g. a horizon no longer than one rollout: every
 * branch collects the same episodes before its first update), and "keep" won only the tie.
 */
export function informative(e: Example): boolean {
  if (e.source === 'decision') return true;
  const s = e.candidates.map((c) => c.score);
  return s.some((x) => x !== s[0]);
}

/**
 * What a gain is measured against: `keep`, max(|keep's score|, 1) (the return's own size); or
 * `reference`, the env's reference range (threshold − random return, src/bench/references.ts),
 * so that gains mean the same on every env: at Acrobot's −500 or Pendulum's −1,200 a relative
 * gain is tiny next to CartPole's at 20. Envs without references fall back to `keep`.
 */
export type GainNorm = 'keep' | 'reference';
export const GAIN_NORMS: readonly GainNorm[] = ['keep', 'reference'];

export function gainScale(e: Example, keep: number, norm: GainNorm): number {
  const ref = norm === 'reference' ? referenceFor(e.task.env) : undefined;
  return ref && ref.threshold > ref.random ? ref.threshold - ref.random : Math.max(Math.abs(keep), 1);
}

/**
 * Per head and class, the measured gain of that step: (score of the branch that took it −
 * keep's score) / the scale (`GainNorm`), minus `cost`; keep's own class is 0; steps not tried
 * (or unscored) are null. Scores are branch returns from the same checkpoint with the same
 * seed stream, so their difference is the step's effect plus the noise of a short horizon.
 */
export function exampleGains(e: Example, params: readonly string[], cost: number, norm: GainNorm = 'keep'): (number | null)[][] {
  const rows = params.map(() => FACTORS.map((): number | null => null));
  const keep = e.candidates[0]?.change === null ? e.candidates[0].score : null;
  if (e.source !== 'oracle' || keep === null || keep === undefined) return rows;
  const scale = gainScale(e, keep, norm);
  params.forEach((p, i) => {
    rows[i]![KEEP] = 0;
    const sums = FACTORS.map(() => 0);
    const counts = FACTORS.map(() => 0);
    for (const c of e.candidates) {
      if (!c.change || c.change.param !== p || c.score === null) continue;
      const k = nearestClass(c.change.factor);
      sums[k] += (c.score - keep) / scale - cost;
      counts[k]++;
    }
    counts.forEach((n, k) => {
      if (n > 0) rows[i]![k] = sums[k]! / n;
    });
  });
  return rows;
}

// The oracle-lookahead baseline: at the end of every interval, the agent's whole state is
// checkpointed and M candidate configurations are each trained from that checkpoint for a
// short horizon on a branch; the candidate whose branch returned the most is then applied to
// the real agent, which trains the next interval with it. The current values are always one
// of the candidates, so "no change" can win. It sees the future no controller can see, so it
// is an upper reference for dynamic control (not a method), and its choices with their
// measured gains are training targets for the meta-training issue. Env steps consumed: the
// agent's steps plus every branch's (about (1 + M·horizon/interval) times the budget); its
// controller time is the branches' training time.

import type { Rng } from '../rl/rng';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';
import { perturbValues } from './perturb';

/** Multiplicative steps the candidates are drawn from. */
export const ORACLE_FACTORS = [0.5, 0.8, 1.25, 2] as const;

/**
 * The current values followed by `m - 1` candidate updates, each changing one parameter
 * (drawn uniformly from `params`) by one of `factors` (default ORACLE_FACTORS; the meta
 * collector passes wider steps): one-parameter updates are
 * what a controller proposes most often, and each is a clean training target. Duplicates
 * are avoided when possible.
 */
export function oracleCandidates(values: HyperparamValues, space: readonly HyperparamSpec[], params: readonly string[], m: number, rng: Rng, factors: readonly number[] = ORACLE_FACTORS): HyperparamValues[] {
  const out: HyperparamValues[] = [{ ...values }];
  const seen = new Set([JSON.stringify(values)]);
  for (let tries = 0; out.length < m && tries < 20 * m && params.length > 0; tries++) {
    const c = perturbValues(values, space, [params[rng.int(params.length)]!], factors, rng);
    const k = JSON.stringify(c);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

/** Index of the best branch score (the first on ties, so "no change" wins a tie); null scores lose. */
export function bestCandidate(scores: readonly (number | null)[]): number {
  let best = 0;
  let bestScore = -Infinity;
  scores.forEach((s, i) => {
    const v = s === null || !Number.isFinite(s) ? -Infinity : s;
    if (v > bestScore) {
      bestScore = v;
      best = i;
    }
  });
  return best;
}

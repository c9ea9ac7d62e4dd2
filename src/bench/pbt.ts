// Population-based training (Jaderberg et al. 2017, "Population Based Training of Neural
// Networks"), the population baseline. N members train side by side from the same starting
// configuration with different seeds. Every `readyInterval` env steps the members are ranked
// by their recent return (the mean of their last 10 episodes); each member of the bottom
// quantile copies a top-quantile member's whole training state (exploit: weights, optimiser,
// counters, env state, hyperparameters) and multiplies each explored hyperparameter by a
// factor drawn from `perturb` (explore). A member's history follows its lineage: after a
// copy it carries its source's past episodes and config history, plus the change. The run's
// result is the member with the best final return; every member's own config history is
// kept as well. Env steps consumed: all members' steps.

import type { Rng } from '../rl/rng';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';
import { perturbValues } from './perturb';

export interface MemberScore {
  member: number;
  /** Recent mean return, null before a member's first finished episode (ranks last). */
  score: number | null;
  values: HyperparamValues;
}

export interface ExploitStep {
  member: number;
  copyFrom: number;
  /** The source's values, perturbed. */
  values: HyperparamValues;
}

/** How many members are replaced (and copied from) per round: ⌊n·quantile⌋, at least 1. */
export function replacedCount(n: number, quantile: number): number {
  return Math.max(1, Math.min(Math.floor(n / 2), Math.floor(n * quantile)));
}

/**
 * One exploit/explore round: the bottom members (by score; ties keep member order) each copy
 * a top member drawn uniformly and perturb its values. Pure apart from the rng.
 */
export function exploitExplore(
  members: readonly MemberScore[],
  options: { quantile: number; perturb: readonly [number, number] },
  space: readonly HyperparamSpec[],
  params: readonly string[],
  rng: Rng,
): ExploitStep[] {
  if (members.length < 2) return [];
  const key = (m: MemberScore): number => (m.score === null || !Number.isFinite(m.score) ? -Infinity : m.score);
  const ranked = [...members].sort((a, b) => key(b) - key(a) || a.member - b.member);
  const k = replacedCount(members.length, options.quantile);
  const top = ranked.slice(0, k);
  const bottom = ranked.slice(-k);
  return bottom.map((m) => {
    const src = top[rng.int(top.length)]!;
    return { member: m.member, copyFrom: src.member, values: perturbValues(src.values, space, params, options.perturb, rng) };
  });
}

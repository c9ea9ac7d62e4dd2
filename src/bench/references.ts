// Reference returns per environment, the two ends of the normalised score (see metrics.ts):
// `random` is the mean episode return of a uniform random policy, `threshold` the return at
// which the task counts as solved. Thresholds are Gymnasium's `reward_threshold` where it has
// one. Pendulum-v1 and ProcMaze have none: their thresholds are stated here and in
// docs/bench.md. A suite may override any of them per task.
//
// The random returns were measured with `measureRandomReturn` (below) over 1000 episodes,
// seed 0, on this project's own envs (2026-11-21); test/bench/references.test.ts re-measures
// them on fewer episodes and fails if the table drifts from the envs.

import { Rng } from '../rl/rng';
import type { Env } from '../rl/envs/types';
import type { ReferenceReturns } from './metrics';

export const REFERENCE_RETURNS: Readonly<Record<string, ReferenceReturns>> = {
  'CartPole-v1': { random: 22.2, threshold: 475 },
  'Acrobot-v1': { random: -498.8, threshold: -100 },
  'MountainCar-v0': { random: -200, threshold: -110 },
  'MountainCarContinuous-v0': { random: -32.9, threshold: 90 },
  // No Gymnasium threshold; -200 is what well-tuned SAC/TD3 reach (rl-baselines3-zoo ≈ -150 to -200).
  'Pendulum-v1': { random: -1233.6, threshold: -200 },
  // No threshold either; 0.7 is a policy that reaches the goal on nearly every level without
  // wandering (a shortest path is at most 48 of the 120 steps: return ≥ 0.64 when solved).
  'ProcMaze-v0': { random: 0.12, threshold: 0.7 },
  'ProcMazeHeldout-v0': { random: 0.11, threshold: 0.7 },
};

export function referenceFor(env: string): ReferenceReturns | undefined {
  return REFERENCE_RETURNS[env];
}

/** A uniform random action from a space (Discrete: integer in [0, n); Box: uniform in [low, high]). */
function randomAction(env: Env, rng: Rng): number | number[] {
  const a = env.actionSpace;
  if (a.kind === 'discrete') return rng.int(a.n);
  return a.low.map((lo, i) => rng.uniform(lo, a.high[i]!));
}

/** Mean return of a uniform random policy over `episodes` episodes (episode i reset with seed + i). */
export function measureRandomReturn(env: Env, episodes = 1000, seed = 0): number {
  if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`episodes must be a positive integer, got ${episodes}`);
  const rng = new Rng(seed);
  let total = 0;
  for (let i = 0; i < episodes; i++) {
    env.reset(seed + i);
    for (;;) {
      const r = env.step(randomAction(env, rng));
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / episodes;
}

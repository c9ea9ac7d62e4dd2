// DQN's exploration schedule, as Stable-Baselines3's `get_linear_fn`: epsilon falls linearly
// from `exploration_initial_eps` to `exploration_final_eps` over the first
// `exploration_fraction` of the total step budget, then stays at the final value. It is a
// pure function of progress, so changing any of its three parameters mid-run takes effect
// at the very next step with no hidden state to reset.

export interface EpsilonSchedule {
  exploration_initial_eps: number;
  exploration_final_eps: number;
  exploration_fraction: number;
}

/** Epsilon after `step` of `totalSteps` env steps. */
export function epsilonAt(s: EpsilonSchedule, step: number, totalSteps: number): number {
  const progress = totalSteps > 0 ? Math.min(1, step / totalSteps) : 1;
  if (s.exploration_fraction <= 0 || progress > s.exploration_fraction) return s.exploration_final_eps;
  return s.exploration_initial_eps + (progress * (s.exploration_final_eps - s.exploration_initial_eps)) / s.exploration_fraction;
}

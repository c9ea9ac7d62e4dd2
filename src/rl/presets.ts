// Default hyperparameters per environment × algorithm. For the classic-control envs they are
// rl-baselines3-zoo's (hyperparams/ppo.yml, dqn.yml, sac.yml; "lin_X" becomes the base value
// X with a linear schedule; zoo's `normalize: true` becomes normalize_obs, since reward
// normalisation is not implemented; `use_sde` has no equivalent and is dropped). DQN on
// CartPole uses the newer zoo values DESIGN.md lists. Keys an algorithm's space does not know
// are ignored by the factory (src/rl/algos/index.ts), so a preset may name options an
// algorithm adds later.

import type { HyperparamValues } from '../shared/hyperparams';
import type { AlgoName } from './algos/types';

export interface Preset {
  values: HyperparamValues;
  /** The zoo's n_timesteps: the step budget the preset was tuned for. */
  totalSteps: number;
  /** Where the numbers come from. */
  source: string;
}

const ZOO = 'rl-baselines3-zoo hyperparams';

const PRESETS: Record<string, Partial<Record<AlgoName, Preset>>> = {
  'CartPole-v1': {
    ppo: {
      values: { n_envs: 8, n_steps: 32, batch_size: 256, gae_lambda: 0.8, gamma: 0.98, n_epochs: 20, ent_coef: 0, learning_rate: 1e-3, lr_schedule: 'linear', clip_range: 0.2, clip_range_schedule: 'linear' },
      totalSteps: 100_000,
      source: `${ZOO}/ppo.yml (tuned)`,
    },
    dqn: {
      values: { learning_rate: 2.3e-3, batch_size: 64, buffer_size: 100_000, learning_starts: 1000, gamma: 0.99, target_update_interval: 10, train_freq: 256, gradient_steps: 128, exploration_fraction: 0.16, exploration_final_eps: 0.04, net_arch: '256-256' },
      totalSteps: 50_000,
      source: `${ZOO}/dqn.yml (tuned; as listed in DESIGN.md)`,
    },
  },
  'Acrobot-v1': {
    ppo: {
      values: { normalize_obs: true, n_envs: 16, n_steps: 256, gae_lambda: 0.94, gamma: 0.99, n_epochs: 4, ent_coef: 0 },
      totalSteps: 1_000_000,
      source: `${ZOO}/ppo.yml`,
    },
    dqn: {
      values: { learning_rate: 2.5e-4, batch_size: 512, buffer_size: 100_000, learning_starts: 0, gamma: 0.99, target_update_interval: 5000, train_freq: 16, gradient_steps: 4, exploration_fraction: 0.06, exploration_final_eps: 0.11 },
      totalSteps: 150_000,
      source: `${ZOO}/dqn.yml (tuned)`,
    },
  },
  'MountainCar-v0': {
    ppo: {
      values: { normalize_obs: true, n_envs: 16, n_steps: 16, gae_lambda: 0.98, gamma: 0.99, n_epochs: 4, ent_coef: 0 },
      totalSteps: 1_000_000,
      source: `${ZOO}/ppo.yml`,
    },
    dqn: {
      values: { learning_rate: 4e-3, batch_size: 128, buffer_size: 10_000, learning_starts: 1000, gamma: 0.98, target_update_interval: 5000, train_freq: 16, gradient_steps: 8, exploration_fraction: 0.2, exploration_final_eps: 0.07, net_arch: '256-256' },
      totalSteps: 120_000,
      source: `${ZOO}/dqn.yml (tuned)`,
    },
  },
  'MountainCarContinuous-v0': {
    ppo: {
      values: { normalize_obs: true, n_envs: 1, batch_size: 256, n_steps: 8, gamma: 0.9999, learning_rate: 7.77e-5, ent_coef: 0.00429, clip_range: 0.1, n_epochs: 10, gae_lambda: 0.9, max_grad_norm: 5, vf_coef: 0.19, log_std_init: -3.29 },
      totalSteps: 20_000,
      source: `${ZOO}/ppo.yml (tuned; use_sde dropped)`,
    },
    sac: {
      values: { learning_rate: 3e-4, buffer_size: 50_000, batch_size: 512, ent_coef_auto: false, ent_coef: 0.1, train_freq: 32, gradient_steps: 32, gamma: 0.9999, tau: 0.01, learning_starts: 0, log_std_init: -3.67, net_arch: '64-64' },
      totalSteps: 50_000,
      source: `${ZOO}/sac.yml (tuned; use_sde dropped)`,
    },
  },
  'Pendulum-v1': {
    ppo: {
      values: { n_envs: 4, n_steps: 1024, gae_lambda: 0.95, gamma: 0.9, n_epochs: 10, ent_coef: 0, learning_rate: 1e-3, clip_range: 0.2 },
      totalSteps: 100_000,
      source: `${ZOO}/ppo.yml (tuned; use_sde dropped)`,
    },
    sac: {
      values: { learning_rate: 1e-3 },
      totalSteps: 20_000,
      source: `${ZOO}/sac.yml`,
    },
  },
  'ProcMaze-v0': {
    ppo: {
      values: { normalize_obs: true, n_envs: 8, n_steps: 128, batch_size: 64, gae_lambda: 0.95, gamma: 0.99, n_epochs: 10, ent_coef: 0, learning_rate: 2.5e-4, clip_range: 0.2 },
      totalSteps: 100_000,
      source: `${ZOO}/ppo.yml, MiniGrid-DoorKey-5x5-v0 (the closest gridworld entry)`,
    },
  },
};
PRESETS['ProcMazeHeldout-v0'] = PRESETS['ProcMaze-v0']!;

/** Step budget when an env × algorithm has no preset. */
export const DEFAULT_TOTAL_STEPS = 100_000;

/** The preset of env × algo; an empty one (the algorithm's defaults) when there is none. */
export function presetFor(envId: string, algo: AlgoName): Preset {
  const p = PRESETS[envId]?.[algo];
  if (p) return { ...p, values: { ...p.values } };
  return { values: {}, totalSteps: DEFAULT_TOTAL_STEPS, source: 'the algorithm\'s defaults (no tuned preset for this env)' };
}

/** Every env × algorithm that has a tuned preset. */
export function listPresets(): { env: string; algo: AlgoName; source: string }[] {
  const out: { env: string; algo: AlgoName; source: string }[] = [];
  for (const [env, byAlgo] of Object.entries(PRESETS)) for (const [algo, p] of Object.entries(byAlgo)) out.push({ env, algo: algo as AlgoName, source: p.source });
  return out;
}

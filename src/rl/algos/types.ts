// What every algorithm (PPO, DQN, SAC) offers the trainer loop. The loop calls `iterate()`
// repeatedly, yielding to the event loop between calls so protocol commands (set, pause,
// stop) are handled promptly; `set()` takes effect at the next update, always.

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';

export type AlgoName = 'ppo' | 'dqn' | 'sac';

export interface EpisodeRecord {
  return: number;
  length: number;
}

export interface IterationResult {
  /** Env steps taken in this iteration (summed over the vector env's copies). */
  envSteps: number;
  /** Episodes that finished during the iteration. */
  episodes: EpisodeRecord[];
  /** Diagnostics of the update(s) done in this iteration, CleanRL-style keys
   *  (`losses/policy_loss`, `losses/value_loss`, `losses/entropy`, `losses/approx_kl`,
   *  `losses/clipfrac`, `losses/explained_variance`, `losses/grad_norm`, `losses/q_values`,
   *  `losses/td_error`, `losses/alpha`, `charts/learning_rate`, ...). Empty when no update ran. */
  stats: Record<string, number>;
}

/** Serialisable training state: JSON plus named float arrays (weights, optimiser moments, buffers). */
export interface AlgoCheckpoint {
  algo: AlgoName;
  json: Record<string, unknown>;
  arrays: Record<string, Float32Array | Float64Array | Int32Array | Uint8Array>;
}

export interface Algorithm {
  readonly algo: AlgoName;
  readonly space: readonly HyperparamSpec[];
  /** Env steps consumed so far. */
  readonly globalStep: number;
  /** Current hyperparameter values (all of them). */
  values(): HyperparamValues;
  /** Sets mutable hyperparameters; they take effect at the next update. Throws on immutable or unknown keys. */
  set(values: HyperparamValues): void;
  iterate(): Promise<IterationResult>;
  /** Acts with the deterministic policy (evaluation). */
  act(obs: ArrayLike<number>): number | number[];
  checkpoint(options?: { includeReplayBuffer?: boolean }): Promise<AlgoCheckpoint>;
  restore(ckpt: AlgoCheckpoint): Promise<void>;
  dispose(): void;
}

// The environment registry (DESIGN.md §1): `makeEnv(id)` builds an env by its Gymnasium id,
// `listEnvs()` describes them all, `makeVectorEnv(id, n)` builds N copies for batched stepping.

import { AcrobotEnv } from './acrobot';
import type { BaseEnv, BaseEnvOptions } from './base';
import { CartPoleEnv } from './cartpole';
import { MountainCarEnv } from './mountainCar';
import { MountainCarContinuousEnv } from './mountainCarContinuous';
import { PendulumEnv } from './pendulum';
import { ProcMazeEnv, type ProcMazeOptions } from './procMaze';
import type { BoxSpace, Space } from './types';
import { VectorEnv } from './vector';

export type { BaseEnv, BaseEnvOptions, EnvSnapshot } from './base';
export type { FinishedEpisode, VectorEnvSnapshot } from './vector';
export { VectorEnv } from './vector';
export {
  generateMazeLevel,
  heldoutLevelSeeds,
  trainingLevelSeeds,
  HELDOUT_LEVEL_START,
  type MazeLevel,
  type ProcMazeOptions,
} from './procMaze';
export type * from './types';

/** Options for `makeEnv`: the time limit for any env, level selection for ProcMaze. */
export type MakeEnvOptions = BaseEnvOptions & Omit<ProcMazeOptions, 'levels'>;

export interface EnvInfo {
  id: string;
  observationSpace: BoxSpace;
  actionSpace: Space;
  maxEpisodeSteps: number;
  /** Gymnasium's reward threshold; undefined when the env has none (Pendulum, ProcMaze). */
  rewardThreshold: number | undefined;
  /** One line saying what the env is. */
  description: string;
}

interface Registration {
  make: (options: MakeEnvOptions) => BaseEnv;
  description: string;
}

const registry: ReadonlyMap<string, Registration> = new Map<string, Registration>([
  ['CartPole-v1', { make: (o) => new CartPoleEnv(o), description: 'balance a pole on a cart; discrete push left/right' }],
  ['Acrobot-v1', { make: (o) => new AcrobotEnv(o), description: 'swing a two-link arm above a line; discrete torque' }],
  ['MountainCar-v0', { make: (o) => new MountainCarEnv(o), description: 'drive an underpowered car up a hill; discrete push' }],
  [
    'MountainCarContinuous-v0',
    { make: (o) => new MountainCarContinuousEnv(o), description: 'drive an underpowered car up a hill; continuous force' },
  ],
  ['Pendulum-v1', { make: (o) => new PendulumEnv(o), description: 'swing a pendulum up and hold it; continuous torque' }],
  [
    'ProcMaze-v0',
    { make: (o) => new ProcMazeEnv({ ...o, levels: 'train' }), description: 'procedurally generated mazes, training levels' },
  ],
  [
    'ProcMazeHeldout-v0',
    {
      make: (o) => new ProcMazeEnv({ ...o, levels: 'heldout' }),
      description: 'procedurally generated mazes, held-out levels (for generalisation tests)',
    },
  ],
]);

/** The ids `makeEnv` accepts. */
export function envIds(): string[] {
  return [...registry.keys()];
}

/** Builds an environment by id; throws an Error naming the valid ids for an unknown one. */
export function makeEnv(id: string, options: MakeEnvOptions = {}): BaseEnv {
  const reg = registry.get(id);
  if (!reg) {
    throw new Error(`unknown environment ${JSON.stringify(id)}; valid ids: ${envIds().join(', ')}`);
  }
  return reg.make(options);
}

/** N copies of `id` behind one batched step (see vector.ts for the autoreset convention). */
export function makeVectorEnv(id: string, numEnvs: number, options: MakeEnvOptions = {}): VectorEnv {
  return new VectorEnv(() => makeEnv(id, options), numEnvs);
}

/** Describes every registered environment. */
export function listEnvs(): EnvInfo[] {
  return [...registry.entries()].map(([id, reg]) => {
    const env = reg.make({});
    return {
      id,
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      maxEpisodeSteps: env.maxEpisodeSteps,
      rewardThreshold: env.rewardThreshold,
      description: reg.description,
    };
  });
}

// The algorithm registry: one entry per algorithm (its space and how to build it), the factory
// `createAlgorithm`, and `spaceFor` / `algoSpace`. DQN and SAC register themselves by adding
// their entry to ALGORITHMS below (one import + one entry each).
//
// Values are layered: the algorithm's space defaults, then the env's preset (src/rl/presets.ts,
// keys the space does not know are dropped), then the caller's values (checked: unknown keys
// and out-of-range values throw with the valid choices).

import { checkValues, defaultValues, type HyperparamSpec, type HyperparamValues } from '../../shared/hyperparams';
import { presetFor } from '../presets';
import { Ppo, PPO_SPACE } from './ppo';
import { Dqn, DQN_SPACE } from './dqn';
import { Sac, SAC_SPACE } from './sac';
import type { AlgoName, Algorithm } from './types';

export const ALGO_NAMES: readonly AlgoName[] = ['ppo', 'dqn', 'sac'];

export interface AlgoOptions {
  /** Caller's hyperparameters (override the preset). */
  values?: HyperparamValues;
  seed?: number;
  /** Overrides n_envs (shortcut for values.n_envs). */
  nEnvs?: number;
  /** Step budget for schedules; default the preset's. */
  totalSteps?: number;
}

export interface AlgoEntry {
  space: readonly HyperparamSpec[];
  /** Builds the algorithm from complete, checked values. */
  create(o: { envId: string; values: HyperparamValues; seed: number; totalSteps: number }): Algorithm;
}

export const ALGORITHMS: Partial<Record<AlgoName, AlgoEntry>> = {
  ppo: {
    space: PPO_SPACE,
    create: (o) => new Ppo({ envId: o.envId, values: o.values, seed: o.seed, totalSteps: o.totalSteps }),
  },
  dqn: {
    space: DQN_SPACE,
    create: (o) => new Dqn({ envId: o.envId, values: o.values, seed: o.seed, totalSteps: o.totalSteps }),
  },
  sac: {
    space: SAC_SPACE,
    create: (o) => new Sac({ envId: o.envId, values: o.values, seed: o.seed, totalSteps: o.totalSteps }),
  },
};

function entryOf(algo: string): AlgoEntry {
  const e = ALGORITHMS[algo as AlgoName];
  if (!e) {
    const have = Object.keys(ALGORITHMS);
    throw new Error(`unknown or unavailable algorithm "${algo}" (available: ${have.join(', ')})`);
  }
  return e;
}

/** The hyperparameter space of an algorithm, with its own defaults. */
export function spaceFor(algo: AlgoName | string): readonly HyperparamSpec[] {
  return entryOf(algo).space;
}

/** The space with defaults replaced by the env's preset values (what a run starts from). */
export function algoSpace(algo: AlgoName, envId?: string): HyperparamSpec[] {
  const space = spaceFor(algo);
  const preset = envId ? presetValues(algo, envId) : {};
  return space.map((p) => (p.name in preset ? { ...p, default: preset[p.name]! } : { ...p }));
}

/** The preset values of env × algo that the algorithm's space knows. */
export function presetValues(algo: AlgoName, envId: string): HyperparamValues {
  const space = spaceFor(algo);
  const known = new Set(space.map((p) => p.name));
  const out: HyperparamValues = {};
  for (const [k, v] of Object.entries(presetFor(envId, algo).values)) if (known.has(k)) out[k] = v;
  return out;
}

/** Complete starting values of a run: space defaults ← preset ← caller's (checked). */
export function resolveValues(algo: AlgoName, envId: string, given: HyperparamValues = {}): HyperparamValues {
  const space = spaceFor(algo);
  const checked = checkValues(space, given);
  if (!checked.ok) throw new Error(`${algo}: ${checked.error}`);
  return { ...defaultValues(space), ...presetValues(algo, envId), ...checked.value };
}

/** Builds an algorithm for an env (unknown env ids throw with the valid ones). */
export function createAlgorithm(algo: AlgoName | string, envId: string, opts: AlgoOptions = {}): Algorithm {
  const entry = entryOf(algo);
  const given = { ...(opts.values ?? {}) };
  if (opts.nEnvs !== undefined) given.n_envs = opts.nEnvs;
  const values = resolveValues(algo as AlgoName, envId, given);
  const totalSteps = opts.totalSteps ?? presetFor(envId, algo as AlgoName).totalSteps;
  return entry.create({ envId, values, seed: opts.seed ?? 0, totalSteps });
}

// The bench's binding to the RL engine: which envs and algorithms exist, their spaces and
// tuned presets (suite expansion, in the parent), and making algorithms and envs (the
// workers). Only this file knows the engine's registry, so the rest of the bench depends on
// the small `Engine` and `TaskCatalog` interfaces.

import { ALGORITHMS, createAlgorithm, resolveValues, spaceFor } from '../rl/algos/index';
import type { AlgoName } from '../rl/algos/types';
import { type BackendChoice, BACKEND_CHOICES, initBackend } from '../rl/backend';
import { envIds, makeEnv } from '../rl/envs/index';
import { type Check, fail, ok } from '../shared/guards';
import type { HyperparamValues } from '../shared/hyperparams';
import type { Engine } from './job';
import type { TaskCatalog } from './suite';

/** Action spaces each algorithm can act in (DQN: discrete only; SAC: continuous only). */
const ACTION_KINDS: Record<AlgoName, readonly ('discrete' | 'box')[]> = { ppo: ['discrete', 'box'], dqn: ['discrete'], sac: ['box'] };

/** The algorithms the engine has registered (an algorithm still being written is absent). */
export function availableAlgos(): AlgoName[] {
  return (Object.keys(ALGORITHMS) as AlgoName[]).filter((a) => ALGORITHMS[a] !== undefined);
}

export function benchCatalog(): TaskCatalog {
  return {
    envs: envIds(),
    algos: availableAlgos(),
    space: (algo) => spaceFor(algo),
    preset(env, algo): Check<HyperparamValues> {
      const kind = makeEnv(env).actionSpace.kind;
      const kinds = ACTION_KINDS[algo as AlgoName] ?? [];
      if (!kinds.includes(kind)) return fail(`${algo} cannot act in ${env}: it has ${kind === 'box' ? 'continuous' : 'discrete'} actions and ${algo} needs ${kinds.map((k) => (k === 'box' ? 'continuous' : 'discrete')).join(' or ')} ones`);
      try {
        return ok(resolveValues(algo as AlgoName, env));
      } catch (e) {
        return fail((e as Error).message);
      }
    },
  };
}

/** Initialises the tfjs backend and returns the engine the bench jobs train with. */
export async function loadEngine(backend?: string): Promise<Engine> {
  const choice = (backend ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(choice)) throw new Error(`unknown backend "${backend}" (valid: ${BACKEND_CHOICES.join(', ')})`);
  await initBackend(choice);
  return {
    // Values are complete (the suite's start), so the preset layer underneath changes nothing.
    createAlgorithm: async (o) => createAlgorithm(o.algo, o.env, { values: o.values, seed: o.seed, totalSteps: o.totalSteps }),
    makeEnv: (id) => makeEnv(id),
  };
}

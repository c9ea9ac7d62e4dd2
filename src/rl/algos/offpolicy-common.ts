// What DQN and SAC share around their update rules: constructor options, checking user
// values against the space, parsing `net_arch`, and reading a checkpoint's pieces back with
// clear errors.

import { checkValues, defaultValues, findSpec, type HyperparamSpec, type HyperparamValues } from '../../shared/hyperparams';
import type { MakeEnvOptions } from '../envs';
import type { VectorEnv } from '../envs/vector';
import type { EpisodeRecord } from './types';
import type { ReplayBuffer } from './replay';
import type { Mlp } from '../nn';
import type { Rng } from '../rng';

export interface OffPolicyOptions {
  envId: string;
  /** Passed to makeEnv (e.g. a shorter time limit in tests). */
  envOptions?: MakeEnvOptions;
  /** Seeds the network initialisation, exploration, replay sampling and the envs. */
  seed?: number;
  /** The run's step budget: DQN's epsilon schedule is a fraction of it (SB3's total_timesteps). */
  totalSteps: number;
  /** Hyperparameters that differ from the space's defaults. */
  values?: HyperparamValues;
}

/** Defaults overlaid with user values, which must be valid (throws with the reason otherwise). */
export function initialValues(space: readonly HyperparamSpec[], given: HyperparamValues | undefined, algo: string): HyperparamValues {
  const checked = checkValues(space, given ?? {});
  if (!checked.ok) throw new Error(`${algo}: ${checked.error}`);
  return { ...defaultValues(space), ...checked.value };
}

/** Checks a mid-run `set`: known, mutable, valid. Returns the checked values. */
export function checkMutable(space: readonly HyperparamSpec[], values: HyperparamValues, algo: string): HyperparamValues {
  for (const k of Object.keys(values)) {
    const spec = findSpec(space, k);
    if (spec && !spec.mutable) throw new Error(`${algo}: ${k} cannot change during a run (it fixes the shape of the networks or env set); start a new run to change it`);
  }
  const checked = checkValues(space, values);
  if (!checked.ok) throw new Error(`${algo}: ${checked.error}`);
  return checked.value;
}

export const NET_ARCH_CHOICES = ['64-64', '128-128', '256-256', '400-300', '64', '32-32'];

export function parseNetArch(v: unknown): number[] {
  const parts = String(v).split('-').map(Number);
  if (parts.length === 0 || !parts.every((n) => Number.isInteger(n) && n > 0))
    throw new Error(`net_arch must be hidden sizes joined by "-" (for example 256-256), got ${String(v)}`);
  return parts;
}

export function num(values: HyperparamValues, key: string): number {
  const v = values[key];
  if (typeof v !== 'number') throw new Error(`hyperparameter ${key} should be a number, got ${String(v)}`);
  return v;
}

/** One named array of a checkpoint, of the expected type and length. */
export function takeArray<T extends Float32Array | Float64Array | Int32Array | Uint8Array>(
  arrays: Record<string, unknown>,
  name: string,
  ctor: { new (n: number): T; name: string },
  length: number,
): T {
  const a = arrays[name];
  if (!(a instanceof ctor) || a.length !== length)
    throw new Error(`checkpoint array "${name}" is missing or is not a ${ctor.name} of ${length}; was it written by another algorithm, env or net_arch?`);
  return a;
}

/**
 * PyTorch's nn.Linear default initialisation (what SB3's DQN and SAC networks start from):
 * W and b uniform in ±1/sqrt(fanIn); `lastLayerScale` shrinks each tower's output layer.
 */
export function initTorchDefault(net: Mlp, params: Float32Array, rng: Rng, lastLayerScale = 1): void {
  for (const layers of net.layout) {
    layers.forEach((L, l) => {
      const bound = (1 / Math.sqrt(L.in)) * (l === layers.length - 1 ? lastLayerScale : 1);
      for (let i = 0; i < L.in * L.out; i++) params[L.w + i] = rng.uniform(-bound, bound);
      for (let i = 0; i < L.out; i++) params[L.b + i] = rng.uniform(-bound, bound);
    });
  }
}

/** target ← tau·online + (1 − tau)·target, in place (tau = 1 copies). */
export function polyak(target: Float32Array, online: Float32Array, tau: number): void {
  if (tau >= 1) {
    target.set(online);
    return;
  }
  for (let i = 0; i < target.length; i++) target[i] = tau * online[i] + (1 - tau) * target[i];
}

/**
 * After `venv.step`: adds one transition per env copy to the replay buffer and collects the
 * episodes that ended. Where an episode ended, the next observation is the final one (the
 * vector env has already reset that copy), so a time-limit cut still bootstraps from it; only
 * `terminated` is stored as done.
 */
export function storeTransitions(
  buffer: ReplayBuffer,
  venv: VectorEnv,
  actedOn: Float32Array,
  obsDim: number,
  actionOf: (envIndex: number) => ArrayLike<number> | number,
  episodes: EpisodeRecord[],
): void {
  for (let i = 0; i < venv.numEnvs; i++) {
    const o = i * obsDim;
    const ended = venv.terminated[i] === 1 || venv.truncated[i] === 1;
    const next = (ended ? venv.finalObs : venv.obs).subarray(o, o + obsDim);
    buffer.add(actedOn.subarray(o, o + obsDim), actionOf(i), venv.rewards[i], next, venv.terminated[i] === 1);
  }
  for (const e of venv.drainEpisodes()) episodes.push({ return: e.return, length: e.length });
}

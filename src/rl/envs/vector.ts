// VectorEnv: N copies of one environment stepped as a batch into preallocated buffers.
//
// AUTORESET CONVENTION (Stable-Baselines3 style, "same-step"; NOT Gymnasium 1.x's "next-step"):
//   After `step(actions)`, for every copy i:
//   - `rewards[i]`, `terminated[i]`, `truncated[i]` describe the transition just taken.
//   - If that transition ended the episode (terminated[i] || truncated[i], both may be 1 at
//     once), the copy has ALREADY been reset: `obs` row i is the FIRST observation of the new
//     episode, and the observation the episode ended in is in `finalObs` row i.
//     For value bootstrapping on a time-limit cut, use finalObs:
//       target = r + gamma * V(finalObs_i)   if truncated[i] && !terminated[i]
//       target = r                           if terminated[i]
//     `finalObs` rows of copies whose episode did not end hold stale data: read them only when
//     the flags say so.
//   - Otherwise `obs` row i is simply the next observation.
//   So `obs` is always the observation the next actions should be chosen from; no step is
//   ever spent on a reset.
//
// Seeding: `reset(seed)` seeds copy i with seed + i; the automatic resets then continue each
// copy's own generator, so a whole run is reproducible from one seed. `reset()` without a seed
// continues every copy's generator.
// Episode records: each finished episode's undiscounted return (summed in float64) and length
// is queued; `drainEpisodes()` hands them over (in the order they finished) and clears the queue.
// The hot path (`step`) allocates nothing except one small record per finished episode.
// Buffer layout: `obs` and `finalObs` are [numEnvs * obsDim] row-major; actions are read from
// `actions[i * actDim]` (actDim = 1 for every env here: a discrete index or a 1-D torque/force).

import type { BaseEnv, EnvSnapshot } from './base';
import type { BoxSpace, Space } from './types';

export interface FinishedEpisode {
  /** Sum of the episode's rewards. */
  return: number;
  /** Number of steps in the episode. */
  length: number;
  /** Which copy it ran in. */
  envIndex: number;
  /** True when it ended by termination, false when by the time limit only. */
  terminated: boolean;
}

export interface VectorEnvSnapshot {
  started: boolean;
  envs: EnvSnapshot[];
  episodeReturns: number[];
  episodeLengths: number[];
  pending: FinishedEpisode[];
}

export class VectorEnv {
  readonly id: string;
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold: number | undefined;
  readonly envs: readonly BaseEnv[];

  /** Current observations, [numEnvs * obsDim]: what the next actions are chosen from. */
  readonly obs: Float32Array;
  /** Rewards of the last step, [numEnvs]. */
  readonly rewards: Float32Array;
  /** 1 where the last step terminated the episode (the MDP ended), [numEnvs]. */
  readonly terminated: Uint8Array;
  /** 1 where the last step hit the time limit, [numEnvs]. */
  readonly truncated: Uint8Array;
  /** The last observation of episodes that ended on the last step (rows with a flag set). */
  readonly finalObs: Float32Array;
  /** Return and length so far of each copy's running episode. */
  readonly episodeReturns: Float64Array;
  readonly episodeLengths: Int32Array;

  private pending: FinishedEpisode[] = [];
  private started = false;

  constructor(makeOne: (index: number) => BaseEnv, numEnvs: number) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new Error(`a vector env needs a positive integer number of copies, got ${String(numEnvs)}`);
    }
    const envs: BaseEnv[] = [];
    for (let i = 0; i < numEnvs; i++) envs.push(makeOne(i));
    const first = envs[0]!;
    for (const e of envs) {
      if (e.id !== first.id || e.obsDim !== first.obsDim || e.actDim !== first.actDim) {
        throw new Error(`all copies of a vector env must be the same env; got ${first.id} and ${e.id}`);
      }
    }
    this.envs = envs;
    this.id = first.id;
    this.numEnvs = numEnvs;
    this.obsDim = first.obsDim;
    this.actDim = first.actDim;
    this.observationSpace = first.observationSpace;
    this.actionSpace = first.actionSpace;
    this.maxEpisodeSteps = first.maxEpisodeSteps;
    this.rewardThreshold = first.rewardThreshold;
    this.obs = new Float32Array(numEnvs * this.obsDim);
    this.finalObs = new Float32Array(numEnvs * this.obsDim);
    this.rewards = new Float32Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.episodeReturns = new Float64Array(numEnvs);
    this.episodeLengths = new Int32Array(numEnvs);
  }

  /** Resets every copy (copy i with seed + i when a seed is given) and returns `obs`. Running
   *  episodes are abandoned without a record. */
  reset(seed?: number): Float32Array {
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) {
      throw new Error(`${this.id}: a seed must be a non-negative integer, got ${String(seed)}`);
    }
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      env.resetInPlace(seed === undefined ? undefined : seed + i);
      env.writeObs(this.obs, i * this.obsDim);
    }
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
    this.started = true;
    return this.obs;
  }

  /** Steps every copy with `actions[i * actDim]`; results land in the buffers (see header). */
  step(actions: ArrayLike<number>): void {
    if (!this.started) throw new Error(`${this.id}: vector env stepped before reset(); call reset(seed) first`);
    const n = this.numEnvs;
    if (actions.length !== n * this.actDim) {
      throw new Error(`${this.id}: step() needs ${n * this.actDim} actions (${n} copies × ${this.actDim}), got ${actions.length}`);
    }
    // Check every action first so a bad one leaves all copies unstepped.
    for (let i = 0; i < n; i++) this.envs[i]!.checkAction(actions[i * this.actDim]!);
    const obsDim = this.obsDim;
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      env.stepFrom(actions, i * this.actDim);
      const r = env.lastReward;
      const term = env.lastTerminated;
      const trunc = env.lastTruncated;
      this.rewards[i] = r;
      this.terminated[i] = term ? 1 : 0;
      this.truncated[i] = trunc ? 1 : 0;
      const ret = this.episodeReturns[i]! + r;
      const len = this.episodeLengths[i]! + 1;
      if (term || trunc) {
        env.writeObs(this.finalObs, i * obsDim);
        this.pending.push({ return: ret, length: len, envIndex: i, terminated: term });
        this.episodeReturns[i] = 0;
        this.episodeLengths[i] = 0;
        env.resetInPlace();
      } else {
        this.episodeReturns[i] = ret;
        this.episodeLengths[i] = len;
      }
      env.writeObs(this.obs, i * obsDim);
    }
  }

  /** Episodes finished since the last call, oldest first; the queue is emptied. */
  drainEpisodes(): FinishedEpisode[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Everything needed to continue exactly from here (JSON-serialisable): for checkpoints. */
  snapshot(): VectorEnvSnapshot {
    return {
      started: this.started,
      envs: this.envs.map((e) => e.snapshot()),
      episodeReturns: Array.from(this.episodeReturns),
      episodeLengths: Array.from(this.episodeLengths),
      pending: this.pending.map((p) => ({ ...p })),
    };
  }

  restore(snap: VectorEnvSnapshot): void {
    if (snap.envs.length !== this.numEnvs) {
      throw new Error(`${this.id}: snapshot has ${snap.envs.length} copies, this vector env has ${this.numEnvs}`);
    }
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      env.restore(snap.envs[i]!);
      if (snap.started) env.writeObs(this.obs, i * this.obsDim);
      this.episodeReturns[i] = snap.episodeReturns[i] ?? 0;
      this.episodeLengths[i] = snap.episodeLengths[i] ?? 0;
    }
    this.pending = snap.pending.map((p) => ({ ...p }));
    this.started = snap.started;
  }
}

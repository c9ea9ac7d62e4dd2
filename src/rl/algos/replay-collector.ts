// Steps N env copies for an off-policy algorithm and hands back, per copy, the transition to
// store: the observation before the step, the reward, the REAL next observation (the final
// one of an episode, not the first of the next: SB3 keeps it in `infos["terminal_observation"]`)
// and `terminated` apart from `truncated`, so a time-limit cut still bootstraps.
// Finished episodes are reset in place (autoreset) and reported with their return and length.
// Its whole state (env snapshots, current observations, running episode sums) round-trips
// through a checkpoint.

import type { Env } from '../envs/types';
import type { EpisodeRecord } from './types';

/** An env whose exact state (physics, time-limit counter, RNG) can be saved and put back. */
interface SnapshottableEnv extends Env {
  snapshot(): unknown;
  restore(snap: never): void;
}

function canSnapshot(env: Env): env is SnapshottableEnv {
  const e = env as Partial<SnapshottableEnv>;
  return typeof e.snapshot === 'function' && typeof e.restore === 'function';
}

export interface CollectorState {
  envs: unknown[];
  episodeReturns: number[];
  episodeLengths: number[];
}

export class ReplayCollector {
  readonly n: number;
  readonly obsDim: number;
  /** Current observation of every copy, [n, obsDim]. */
  readonly obs: Float32Array;
  /** After `step`: the observation each copy reached (pre-reset), [n, obsDim]. */
  readonly nextObs: Float32Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;

  constructor(
    readonly envs: Env[],
    seed: number,
  ) {
    if (envs.length === 0) throw new Error('the collector needs at least one env');
    this.n = envs.length;
    this.obsDim = envs[0].observationSpace.shape.reduce((a, b) => a * b, 1);
    this.obs = new Float32Array(this.n * this.obsDim);
    this.nextObs = new Float32Array(this.n * this.obsDim);
    this.rewards = new Float64Array(this.n);
    this.terminated = new Uint8Array(this.n);
    this.truncated = new Uint8Array(this.n);
    this.episodeReturns = new Float64Array(this.n);
    this.episodeLengths = new Int32Array(this.n);
    // As SB3's VecEnv.seed: copy i starts from seed + i; later resets continue each env's generator.
    envs.forEach((env, i) => this.obs.set(env.reset(seed + i), i * this.obsDim));
  }

  /** One step of every copy with `actions[i * actDim ...]`; finished episodes are appended to `episodes`. */
  step(actions: ArrayLike<number>, actDim: number, episodes: EpisodeRecord[]): void {
    const od = this.obsDim;
    for (let i = 0; i < this.n; i++) {
      const env = this.envs[i];
      const a = actDim === 1 && env.actionSpace.kind === 'discrete' ? actions[i] : Array.from({ length: actDim }, (_, k) => actions[i * actDim + k]);
      const r = env.step(a);
      this.nextObs.set(r.obs, i * od);
      this.rewards[i] = r.reward;
      this.terminated[i] = r.terminated ? 1 : 0;
      this.truncated[i] = r.truncated ? 1 : 0;
      this.episodeReturns[i] += r.reward;
      this.episodeLengths[i] += 1;
      if (r.terminated || r.truncated) {
        episodes.push({ return: this.episodeReturns[i], length: this.episodeLengths[i] });
        this.episodeReturns[i] = 0;
        this.episodeLengths[i] = 0;
        this.obs.set(env.reset(), i * od);
      } else {
        this.obs.set(r.obs, i * od);
      }
    }
  }

  getState(): CollectorState {
    return {
      envs: this.envs.map((env) => {
        if (!canSnapshot(env)) throw new Error(`${env.id} cannot save its exact state (no snapshot()), so this run cannot be checkpointed`);
        return env.snapshot();
      }),
      episodeReturns: Array.from(this.episodeReturns),
      episodeLengths: Array.from(this.episodeLengths),
    };
  }

  setState(state: CollectorState, obs: Float32Array): void {
    if (state.envs.length !== this.n || obs.length !== this.obs.length)
      throw new Error(`the checkpoint has ${state.envs.length} envs but this run has ${this.n}; restore with the same n_envs`);
    this.envs.forEach((env, i) => {
      if (!canSnapshot(env)) throw new Error(`${env.id} cannot restore its exact state (no restore())`);
      env.restore(state.envs[i] as never);
    });
    this.obs.set(obs);
    this.episodeReturns.set(state.episodeReturns);
    this.episodeLengths.set(state.episodeLengths);
  }
}

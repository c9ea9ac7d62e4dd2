// What every environment here shares: Gymnasium's TimeLimit and OrderEnforcing wrappers, seeded
// resets, action checking, and an allocation-free stepping path for the vector env.
//
// Two ways to step:
// - `step(action)`: the DESIGN.md §1 API; allocates the returned observation and result object.
// - `stepFrom(actions, offset)` + `writeObs(out, offset)`: the hot path. The outcome is left in
//   `lastReward` / `lastTerminated` / `lastTruncated`; nothing is allocated.
//
// Episode bookkeeping follows Gymnasium's wrappers exactly: `truncated` is true when the steps
// elapsed since the last reset (or setState) reach `maxEpisodeSteps`, whatever `terminated`
// says; stepping again after truncation is allowed (TimeLimit keeps answering truncated=true),
// stepping after termination is an error here (Gymnasium calls it undefined behaviour).

import { Rng, type RngState } from '../rng';
import type { BoxSpace, Env, Space, StepResult } from './types';

/** Everything needed to put an env back exactly where it was (for checkpoints). */
export interface EnvSnapshot {
  state: number[];
  elapsedSteps: number;
  phase: EpisodePhase;
  rng: { s: RngState; spare: number | null };
}

export type EpisodePhase = 'unstarted' | 'running' | 'terminated';

export interface BaseEnvOptions {
  /** Overrides the registered time limit (Gymnasium's `max_episode_steps`). */
  maxEpisodeSteps?: number;
}

export abstract class BaseEnv implements Env {
  abstract readonly id: string;
  abstract readonly observationSpace: BoxSpace;
  abstract readonly actionSpace: Space;
  readonly maxEpisodeSteps: number;
  abstract readonly rewardThreshold: number | undefined;
  /** Length of the flat observation vector. */
  abstract readonly obsDim: number;
  /** Numbers per action: 1 for every env here (a discrete index or a 1-D continuous value). */
  readonly actDim: number = 1;

  /** Outcome of the last `stepFrom`/`step`. */
  lastReward = 0;
  lastTerminated = false;
  lastTruncated = false;

  protected readonly rng: Rng;
  private elapsed = 0;
  private phase: EpisodePhase = 'unstarted';
  private readonly actionScratch = new Float64Array(1);

  constructor(defaultMaxEpisodeSteps: number, options: BaseEnvOptions = {}) {
    const limit = options.maxEpisodeSteps ?? defaultMaxEpisodeSteps;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`maxEpisodeSteps must be a positive integer, got ${String(limit)}`);
    }
    this.maxEpisodeSteps = limit;
    // Like Gymnasium, an env never seeded draws its first start state from fresh entropy.
    this.rng = new Rng(Math.floor(Math.random() * 0x100000000));
  }

  // ---- what each environment provides -------------------------------------------------------

  /** Draws a start state from the env's initial-state distribution. */
  protected abstract resetPhysics(rng: Rng): void;
  /** Advances one step with an already validated action read from `actions[offset]`;
   *  sets `lastReward` and `lastTerminated`. */
  protected abstract advance(actions: ArrayLike<number>, offset: number): void;
  /** Writes the current observation into `out[offset .. offset+obsDim)`. */
  abstract writeObs(out: Float32Array, offset: number): void;
  abstract getState(): number[];
  /** Sets the physics state from an array already checked for length and finiteness. */
  protected abstract applyState(state: readonly number[]): void;
  /** Names of the getState()/setState() entries, in order (also used in error messages). */
  abstract readonly stateLabels: readonly string[];

  // ---- the Env API ---------------------------------------------------------------------------

  reset(seed?: number): Float32Array {
    this.resetInPlace(seed);
    const obs = new Float32Array(this.obsDim);
    this.writeObs(obs, 0);
    return obs;
  }

  step(action: number | number[]): StepResult {
    const buf = this.actionScratch;
    // Beyond the declared `number | number[]`, a one-element typed array is accepted too
    // (algorithms often hold actions in Float32Arrays).
    const seq = action as unknown;
    if (typeof action === 'number') buf[0] = action;
    else if ((Array.isArray(seq) || ArrayBuffer.isView(seq)) && (seq as ArrayLike<unknown>).length === 1 && typeof (seq as ArrayLike<unknown>)[0] === 'number') {
      buf[0] = (seq as ArrayLike<number>)[0]!;
    } else {
      throw new Error(
        `${this.id}: an action is ${this.describeActionSpace()}; got ${describe(action)}`,
      );
    }
    this.stepFrom(buf, 0);
    const obs = new Float32Array(this.obsDim);
    this.writeObs(obs, 0);
    return { obs, reward: this.lastReward, terminated: this.lastTerminated, truncated: this.lastTruncated };
  }

  setState(state: number[]): void {
    const n = this.stateLabels.length;
    if (!Array.isArray(state) || state.length !== n || !state.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(
        `${this.id}: setState needs ${n} finite numbers [${this.stateLabels.join(', ')}]; got ${describe(state)}`,
      );
    }
    this.applyState(state);
    this.elapsed = 0;
    this.phase = 'running';
    this.lastReward = 0;
    this.lastTerminated = false;
    this.lastTruncated = false;
  }

  // ---- the allocation-free path ---------------------------------------------------------------

  /** Reset without allocating; follow with `writeObs`. A seed reseeds the env's generator;
   *  without one the generator continues where it was. */
  resetInPlace(seed?: number): void {
    if (seed !== undefined) {
      if (!Number.isInteger(seed) || seed < 0) {
        throw new Error(`${this.id}: a seed must be a non-negative integer, got ${String(seed)}`);
      }
      this.rng.seed(seed);
    }
    this.resetPhysics(this.rng);
    this.elapsed = 0;
    this.phase = 'running';
    this.lastReward = 0;
    this.lastTerminated = false;
    this.lastTruncated = false;
  }

  /** One step with the action at `actions[offset]`; the outcome lands in `last*`. */
  stepFrom(actions: ArrayLike<number>, offset: number): void {
    if (this.phase !== 'running') {
      throw new Error(
        this.phase === 'unstarted'
          ? `${this.id}: step() called before reset(); call reset() (or setState()) first`
          : `${this.id}: step() called after the episode terminated; call reset() to start a new episode`,
      );
    }
    const a = actions[offset]!;
    this.checkAction(a);
    this.advance(actions, offset);
    this.elapsed++;
    this.lastTruncated = this.elapsed >= this.maxEpisodeSteps;
    if (this.lastTerminated) this.phase = 'terminated';
  }

  /** Steps taken since the last reset or setState (Gymnasium's TimeLimit `_elapsed_steps`). */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  snapshot(): EnvSnapshot {
    return { state: this.getState(), elapsedSteps: this.elapsed, phase: this.phase, rng: this.rng.getState() };
  }

  restore(snap: EnvSnapshot): void {
    if (snap.phase !== 'unstarted') this.setState(snap.state);
    this.elapsed = snap.elapsedSteps;
    this.phase = snap.phase;
    this.lastTruncated = this.elapsed >= this.maxEpisodeSteps;
    this.lastTerminated = snap.phase === 'terminated';
    this.rng.setState(snap.rng);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Throws a clear Error unless `a` is a valid action for this env. */
  checkAction(a: number): void {
    const space = this.actionSpace;
    if (space.kind === 'discrete') {
      if (!Number.isInteger(a) || a < 0 || a >= space.n) {
        throw new Error(`${this.id}: an action is ${this.describeActionSpace()}; got ${String(a)}`);
      }
    } else if (!Number.isFinite(a)) {
      throw new Error(`${this.id}: an action is ${this.describeActionSpace()}; got ${String(a)}`);
    }
  }

  private describeActionSpace(): string {
    const s = this.actionSpace;
    return s.kind === 'discrete'
      ? `an integer in 0..${s.n - 1}`
      : `a finite number (or a one-element array), clipped to [${s.low.join(', ')}, ${s.high.join(', ')}]`;
  }
}

function describe(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
  } catch {
    return String(v);
  }
}

/** A Box space whose bounds are rounded to float32, as Gymnasium's float32 Boxes report them. */
export function box(low: readonly number[], high: readonly number[]): BoxSpace {
  return { kind: 'box', low: low.map(Math.fround), high: high.map(Math.fround), shape: [low.length] };
}

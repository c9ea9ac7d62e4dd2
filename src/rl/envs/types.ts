// The environment API (DESIGN.md §1). Mirrors Gymnasium 1.x: `terminated` (the MDP ended)
// is kept apart from `truncated` (the time limit) so value bootstrapping is right.

export type Observation = number[] | Float32Array | Float64Array;

export interface DiscreteSpace {
  kind: 'discrete';
  n: number;
}

export interface BoxSpace {
  kind: 'box';
  low: number[];
  high: number[];
  shape: number[];
}

export type Space = DiscreteSpace | BoxSpace;

export interface StepResult {
  obs: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly maxEpisodeSteps: number;
  /** Gymnasium's reward threshold, when the env has one. */
  readonly rewardThreshold?: number;
  reset(seed?: number): Observation;
  step(action: number | number[]): StepResult;
  /** Full internal physics state in Gymnasium's order. */
  getState(): number[];
  /** Restores the physics state and restarts the time-limit counter. */
  setState(state: number[]): void;
}

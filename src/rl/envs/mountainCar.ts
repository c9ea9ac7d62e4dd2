// MountainCar-v0, as Gymnasium 1.x's classic_control/mountain_car.py (Moore 1990):
//   velocity += (action - 1) * 0.001 + cos(3 * position) * (-0.0025), clipped to ±0.07
//   position += velocity, clipped to [-1.2, 0.6]; at the left wall a negative velocity becomes 0
// Reward -1 every step; terminated when position >= 0.5 and velocity >= 0; time limit 200.
// Start: position U(-0.6, -0.4), velocity 0. The state stays float64 throughout, as Gymnasium's.

import type { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { DiscreteSpace } from './types';

export const MC_MIN_POSITION = -1.2;
export const MC_MAX_POSITION = 0.6;
export const MC_MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const GOAL_VELOCITY = 0;
const FORCE = 0.001;
const GRAVITY = 0.0025;

export class MountainCarEnv extends BaseEnv {
  readonly id = 'MountainCar-v0';
  readonly observationSpace = box([MC_MIN_POSITION, -MC_MAX_SPEED], [MC_MAX_POSITION, MC_MAX_SPEED]);
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 3 };
  readonly rewardThreshold = -110;
  readonly obsDim = 2;
  readonly stateLabels = ['position', 'velocity'] as const;

  private position = 0;
  private velocity = 0;

  constructor(options: BaseEnvOptions = {}) {
    super(200, options);
  }

  protected resetPhysics(rng: Rng): void {
    this.position = rng.uniform(-0.6, -0.4);
    this.velocity = 0;
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const action = actions[offset]!;
    let position = this.position;
    let velocity = this.velocity;
    velocity += (action - 1) * FORCE + Math.cos(3 * position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MC_MAX_SPEED), MC_MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MC_MIN_POSITION), MC_MAX_POSITION);
    if (position === MC_MIN_POSITION && velocity < 0) velocity = 0;
    this.lastTerminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    this.lastReward = -1.0;
    this.position = position;
    this.velocity = velocity;
  }

  writeObs(out: Float32Array, offset: number): void {
    out[offset] = this.position;
    out[offset + 1] = this.velocity;
  }

  getState(): number[] {
    return [this.position, this.velocity];
  }

  protected applyState(s: readonly number[]): void {
    this.position = s[0]!;
    this.velocity = s[1]!;
  }
}

// MountainCarContinuous-v0, as Gymnasium 1.x's classic_control/continuous_mountain_car.py:
//   force = min(max(action, -1), 1)
//   velocity += force * 0.0015 - 0.0025 * cos(3 * position), clipped to ±0.07
//   position += velocity, clipped to [-1.2, 0.6]; at the left wall a negative velocity becomes 0
//   terminated when position >= 0.45 and velocity >= 0
//   reward = (terminated ? 100 : 0) - 0.1 * action^2   <- the UNclipped action, as Gymnasium's
//            `reward -= math.pow(action[0], 2) * 0.1`
// Time limit 999; start position U(-0.6, -0.4), velocity 0.
// Gymnasium stores the state after each step as float32 (`np.array([...], dtype=np.float32)`);
// so does this env (termination is decided on the float64 values first, as there). The reset
// state is float64, as there.

import type { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { BoxSpace } from './types';

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const GOAL_VELOCITY = 0;
const POWER = 0.0015;

export class MountainCarContinuousEnv extends BaseEnv {
  readonly id = 'MountainCarContinuous-v0';
  readonly observationSpace = box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace: BoxSpace = box([MIN_ACTION], [MAX_ACTION]);
  readonly rewardThreshold = 90;
  readonly obsDim = 2;
  readonly stateLabels = ['position', 'velocity'] as const;

  private position = 0;
  private velocity = 0;

  constructor(options: BaseEnvOptions = {}) {
    super(999, options);
  }

  protected resetPhysics(rng: Rng): void {
    this.position = rng.uniform(-0.6, -0.4);
    this.velocity = 0;
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const action = actions[offset]!;
    let position = this.position;
    let velocity = this.velocity;
    const force = Math.min(Math.max(action, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * Math.cos(3 * position);
    if (velocity > MAX_SPEED) velocity = MAX_SPEED;
    if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
    position += velocity;
    if (position > MAX_POSITION) position = MAX_POSITION;
    if (position < MIN_POSITION) position = MIN_POSITION;
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    let reward = terminated ? 100.0 : 0;
    reward -= action * action * 0.1;
    this.lastTerminated = terminated;
    this.lastReward = reward;
    this.position = Math.fround(position);
    this.velocity = Math.fround(velocity);
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

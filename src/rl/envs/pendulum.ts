// Pendulum-v1, as Gymnasium 1.x's classic_control/pendulum.py (g = 10, m = l = 1, dt = 0.05):
//   u = clip(action, -2, 2)
//   cost = angle_normalize(theta)^2 + 0.1 * thetadot^2 + 0.001 * u^2   <- the state BEFORE the update
//   thetadot' = clip(thetadot + (3g/(2l) * sin(theta) + 3/(m l^2) * u) * dt, -8, 8)
//   theta' = theta + thetadot' * dt   (theta itself is never wrapped)
// Reward -cost; never terminates; time limit 200. Start: theta U(-pi, pi), thetadot U(-1, 1).
// Observation: [cos theta, sin theta, thetadot].

import type { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { BoxSpace } from './types';

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const G = 10.0;
const M = 1.0;
const L = 1.0;

/** Gymnasium's angle_normalize: ((x + pi) % (2 pi)) - pi with Python's floored modulo. */
export function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  let r = (x + Math.PI) % period;
  if (r !== 0 && r < 0) r += period;
  return r - Math.PI;
}

export class PendulumEnv extends BaseEnv {
  readonly id = 'Pendulum-v1';
  readonly observationSpace = box([-1.0, -1.0, -MAX_SPEED], [1.0, 1.0, MAX_SPEED]);
  readonly actionSpace: BoxSpace = box([-MAX_TORQUE], [MAX_TORQUE]);
  readonly rewardThreshold = undefined;
  readonly obsDim = 3;
  readonly stateLabels = ['theta', 'theta_dot'] as const;

  private theta = 0;
  private thetaDot = 0;

  constructor(options: BaseEnvOptions = {}) {
    super(200, options);
  }

  protected resetPhysics(rng: Rng): void {
    this.theta = rng.uniform(-Math.PI, Math.PI);
    this.thetaDot = rng.uniform(-1.0, 1.0);
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const th = this.theta;
    const thdot = this.thetaDot;
    const u = Math.min(Math.max(actions[offset]!, -MAX_TORQUE), MAX_TORQUE);
    const an = angleNormalize(th);
    const costs = an * an + 0.1 * (thdot * thdot) + 0.001 * (u * u);
    let newthdot = thdot + (((3 * G) / (2 * L)) * Math.sin(th) + (3.0 / (M * (L * L))) * u) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    const newth = th + newthdot * DT;
    this.theta = newth;
    this.thetaDot = newthdot;
    this.lastReward = -costs;
    this.lastTerminated = false;
  }

  writeObs(out: Float32Array, offset: number): void {
    out[offset] = Math.cos(this.theta);
    out[offset + 1] = Math.sin(this.theta);
    out[offset + 2] = this.thetaDot;
  }

  getState(): number[] {
    return [this.theta, this.thetaDot];
  }

  protected applyState(s: readonly number[]): void {
    this.theta = s[0]!;
    this.thetaDot = s[1]!;
  }
}

// CartPole-v1, as Gymnasium 1.x's classic_control/cartpole.py (Barto, Sutton & Anderson 1983):
// explicit Euler with tau = 0.02, force ±10, reward 1 on every step including the terminating
// one, termination when |x| > 2.4 or |theta| > 12°, time limit 500, start U(-0.05, 0.05)^4.
// The arithmetic follows Gymnasium's expression order so float64 results agree bit for bit
// (up to the platform's sin/cos).

import type { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { DiscreteSpace } from './types';

const GRAVITY = 9.8;
const MASSCART = 1.0;
const MASSPOLE = 0.1;
const TOTAL_MASS = MASSPOLE + MASSCART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASSPOLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
export const CARTPOLE_THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
export const CARTPOLE_X_THRESHOLD = 2.4;

export class CartPoleEnv extends BaseEnv {
  readonly id = 'CartPole-v1';
  readonly observationSpace = box(
    [-CARTPOLE_X_THRESHOLD * 2, -Infinity, -CARTPOLE_THETA_THRESHOLD * 2, -Infinity],
    [CARTPOLE_X_THRESHOLD * 2, Infinity, CARTPOLE_THETA_THRESHOLD * 2, Infinity],
  );
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2 };
  readonly rewardThreshold = 475;
  readonly obsDim = 4;
  readonly stateLabels = ['x', 'x_dot', 'theta', 'theta_dot'] as const;

  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;

  constructor(options: BaseEnvOptions = {}) {
    super(500, options);
  }

  protected resetPhysics(rng: Rng): void {
    this.x = rng.uniform(-0.05, 0.05);
    this.xDot = rng.uniform(-0.05, 0.05);
    this.theta = rng.uniform(-0.05, 0.05);
    this.thetaDot = rng.uniform(-0.05, 0.05);
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const force = actions[offset] === 1 ? FORCE_MAG : -FORCE_MAG;
    const { x, xDot, theta, thetaDot } = this;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
    const thetaacc =
      (GRAVITY * sintheta - costheta * temp) /
      (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
    // kinematics_integrator == "euler"
    this.x = x + TAU * xDot;
    this.xDot = xDot + TAU * xacc;
    this.theta = theta + TAU * thetaDot;
    this.thetaDot = thetaDot + TAU * thetaacc;
    this.lastTerminated =
      this.x < -CARTPOLE_X_THRESHOLD ||
      this.x > CARTPOLE_X_THRESHOLD ||
      this.theta < -CARTPOLE_THETA_THRESHOLD ||
      this.theta > CARTPOLE_THETA_THRESHOLD;
    // Gymnasium pays 1.0 on the terminating step too (sutton_barto_reward=False).
    this.lastReward = 1.0;
  }

  writeObs(out: Float32Array, offset: number): void {
    out[offset] = this.x;
    out[offset + 1] = this.xDot;
    out[offset + 2] = this.theta;
    out[offset + 3] = this.thetaDot;
  }

  getState(): number[] {
    return [this.x, this.xDot, this.theta, this.thetaDot];
  }

  protected applyState(s: readonly number[]): void {
    this.x = s[0]!;
    this.xDot = s[1]!;
    this.theta = s[2]!;
    this.thetaDot = s[3]!;
  }
}

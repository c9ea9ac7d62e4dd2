// Acrobot-v1, as Gymnasium 1.x's classic_control/acrobot.py: the "book" dynamics (Sutton &
// Barto), ONE fourth-order Runge-Kutta step over dt = 0.2 (Gymnasium's rk4 with t = [0, dt]),
// torque in {-1, 0, +1} with no noise, angles wrapped to [-pi, pi], angular velocities clipped
// to ±4pi and ±9pi, reward -1 per step and 0 on the terminating step, termination when
// -cos(theta1) - cos(theta2 + theta1) > 1, time limit 500.
// Start: U(-0.1, 0.1)^4 rounded to float32, because Gymnasium's reset does `.astype(np.float32)`
// (its first step then promotes the state back to float64, as here).
// Observation: [cos theta1, sin theta1, cos theta2, sin theta2, dtheta1, dtheta2].

import type { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { DiscreteSpace } from './types';

const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const G = 9.8;
export const ACROBOT_MAX_VEL_1 = 4 * Math.PI;
export const ACROBOT_MAX_VEL_2 = 9 * Math.PI;
const AVAIL_TORQUE = [-1.0, 0.0, 1.0] as const;

// Gymnasium's rk4 works on the state augmented with the torque, whose derivative is 0, so the
// torque is simply a constant here. Inputs and outputs of the derivative go through one typed
// array, `io`, rather than arguments and module variables: V8 boxes doubles passed to a call it
// does not inline (one allocation each), typed-array slots are never boxed.
//   io[0..3] = theta1, theta2, dtheta1, dtheta2;  io[4] = torque;  out: io[5], io[6] = ddtheta1, ddtheta2
const io = new Float64Array(7);

/** The book dynamics (Gymnasium's `_dsdt`, book_or_nips = "book"), in Gymnasium's operation order. */
function accelerations(): void {
  const m1 = LINK_MASS_1;
  const m2 = LINK_MASS_2;
  const l1 = LINK_LENGTH_1;
  const lc1 = LINK_COM_POS_1;
  const lc2 = LINK_COM_POS_2;
  const I1 = LINK_MOI;
  const I2 = LINK_MOI;
  const theta1 = io[0]!;
  const theta2 = io[1]!;
  const dtheta1 = io[2]!;
  const dtheta2 = io[3]!;
  const a = io[4]!;
  const cos2 = Math.cos(theta2);
  const sin2 = Math.sin(theta2);
  const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
  const phi2 = m2 * lc2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
    (m1 * lc1 + m2 * l1) * G * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddtheta2 =
    (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) /
    (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
  io[5] = -(d2 * ddtheta2 + phi1) / d1;
  io[6] = ddtheta2;
}

/** Gymnasium's `wrap`: shifts x by whole periods into [m, M], one period at a time (the same
 *  rounding as Gymnasium). Absurdly large inputs (only reachable through setState) are first
 *  brought near the range with a remainder so the loops stay short. */
export function wrapAngle(x: number, m: number, M: number): number {
  const diff = M - m;
  if (Math.abs(x) > 1e4 * diff) x = m + (((x - m) % diff) + diff) % diff;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

export class AcrobotEnv extends BaseEnv {
  readonly id = 'Acrobot-v1';
  readonly observationSpace = box(
    [-1, -1, -1, -1, -ACROBOT_MAX_VEL_1, -ACROBOT_MAX_VEL_2],
    [1, 1, 1, 1, ACROBOT_MAX_VEL_1, ACROBOT_MAX_VEL_2],
  );
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 3 };
  readonly rewardThreshold = -100;
  readonly obsDim = 6;
  readonly stateLabels = ['theta1', 'theta2', 'dtheta1', 'dtheta2'] as const;

  private theta1 = 0;
  private theta2 = 0;
  private dtheta1 = 0;
  private dtheta2 = 0;

  constructor(options: BaseEnvOptions = {}) {
    super(500, options);
  }

  protected resetPhysics(rng: Rng): void {
    this.theta1 = Math.fround(rng.uniform(-0.1, 0.1));
    this.theta2 = Math.fround(rng.uniform(-0.1, 0.1));
    this.dtheta1 = Math.fround(rng.uniform(-0.1, 0.1));
    this.dtheta2 = Math.fround(rng.uniform(-0.1, 0.1));
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const torque = AVAIL_TORQUE[actions[offset]!]!;
    const y0 = this.theta1;
    const y1 = this.theta2;
    const y2 = this.dtheta1;
    const y3 = this.dtheta2;
    // rk4(derivs, y0, [0, dt]): dt = t[1] - t[0], one step.
    const dt = DT - 0;
    const dt2 = dt / 2.0;
    // k = (dtheta1, dtheta2, ddtheta1, ddtheta2); the torque component of y never changes.
    io[4] = torque;
    io[0] = y0; io[1] = y1; io[2] = y2; io[3] = y3;
    accelerations();
    const k1a = y2, k1b = y3, k1c = io[5]!, k1d = io[6]!;
    io[0] = y0 + dt2 * k1a; io[1] = y1 + dt2 * k1b; io[2] = y2 + dt2 * k1c; io[3] = y3 + dt2 * k1d;
    accelerations();
    const k2a = io[2]!, k2b = io[3]!, k2c = io[5]!, k2d = io[6]!;
    io[0] = y0 + dt2 * k2a; io[1] = y1 + dt2 * k2b; io[2] = y2 + dt2 * k2c; io[3] = y3 + dt2 * k2d;
    accelerations();
    const k3a = io[2]!, k3b = io[3]!, k3c = io[5]!, k3d = io[6]!;
    io[0] = y0 + dt * k3a; io[1] = y1 + dt * k3b; io[2] = y2 + dt * k3c; io[3] = y3 + dt * k3d;
    accelerations();
    const k4a = io[2]!, k4b = io[3]!, k4c = io[5]!, k4d = io[6]!;
    const h = dt / 6.0;
    const n0 = y0 + h * (k1a + 2 * k2a + 2 * k3a + k4a);
    const n1 = y1 + h * (k1b + 2 * k2b + 2 * k3b + k4b);
    const n2 = y2 + h * (k1c + 2 * k2c + 2 * k3c + k4c);
    const n3 = y3 + h * (k1d + 2 * k2d + 2 * k3d + k4d);

    this.theta1 = wrapAngle(n0, -Math.PI, Math.PI);
    this.theta2 = wrapAngle(n1, -Math.PI, Math.PI);
    this.dtheta1 = bound(n2, -ACROBOT_MAX_VEL_1, ACROBOT_MAX_VEL_1);
    this.dtheta2 = bound(n3, -ACROBOT_MAX_VEL_2, ACROBOT_MAX_VEL_2);
    this.lastTerminated = -Math.cos(this.theta1) - Math.cos(this.theta2 + this.theta1) > 1.0;
    this.lastReward = this.lastTerminated ? 0.0 : -1.0;
  }

  writeObs(out: Float32Array, offset: number): void {
    out[offset] = Math.cos(this.theta1);
    out[offset + 1] = Math.sin(this.theta1);
    out[offset + 2] = Math.cos(this.theta2);
    out[offset + 3] = Math.sin(this.theta2);
    out[offset + 4] = this.dtheta1;
    out[offset + 5] = this.dtheta2;
  }

  getState(): number[] {
    return [this.theta1, this.theta2, this.dtheta1, this.dtheta2];
  }

  protected applyState(s: readonly number[]): void {
    this.theta1 = s[0]!;
    this.theta2 = s[1]!;
    this.dtheta1 = s[2]!;
    this.dtheta2 = s[3]!;
  }
}

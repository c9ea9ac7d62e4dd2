// Acrobot-v1 against a straightforward, independent implementation of the book dynamics
// (Sutton & Barto; Gymnasium's acrobot.py `book_or_nips = "book"`) and a textbook RK4 step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../src/rl/envs/index';

const PI = Math.PI;

/** ds/dt of [theta1, theta2, dtheta1, dtheta2] under torque a (book equations). */
function derivs(s: number[], a: number): number[] {
  const [t1, t2, w1, w2] = s as [number, number, number, number];
  const m1 = 1, m2 = 1, l1 = 1, lc1 = 0.5, lc2 = 0.5, I1 = 1, I2 = 1, g = 9.8;
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(t2)) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(t2)) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(t1 + t2 - PI / 2);
  const phi1 =
    -m2 * l1 * lc2 * w2 ** 2 * Math.sin(t2) -
    2 * m2 * l1 * lc2 * w2 * w1 * Math.sin(t2) +
    (m1 * lc1 + m2 * l1) * g * Math.cos(t1 - PI / 2) +
    phi2;
  const dd2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * w1 ** 2 * Math.sin(t2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
  const dd1 = -(d2 * dd2 + phi1) / d1;
  return [w1, w2, dd1, dd2];
}

/** One classical RK4 step of size h. */
function rk4(s: number[], a: number, h: number): number[] {
  const add = (x: number[], k: number[], c: number) => x.map((v, i) => v + c * k[i]!);
  const k1 = derivs(s, a);
  const k2 = derivs(add(s, k1, h / 2), a);
  const k3 = derivs(add(s, k2, h / 2), a);
  const k4 = derivs(add(s, k3, h), a);
  return s.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
}

function wrap(x: number): number {
  while (x > PI) x -= 2 * PI;
  while (x < -PI) x += 2 * PI;
  return x;
}

function expectedStep(s: number[], action: number): number[] {
  const n = rk4(s, [-1, 0, 1][action]!, 0.2);
  const clip = (v: number, m: number) => Math.min(Math.max(v, -m), m);
  return [wrap(n[0]!), wrap(n[1]!), clip(n[2]!, 4 * PI), clip(n[3]!, 9 * PI)];
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('Acrobot: one RK4 step over dt=0.2 matches an independent RK4 of the book dynamics', () => {
  const env = makeEnv('Acrobot-v1');
  const states = [
    [0.05, -0.03, 0.02, 0.07],
    [1.2, -2.1, 3.0, -6.0],
    [-2.5, 0.4, -8.0, 15.0],
    [3.0, 3.0, 12.0, -25.0],
  ];
  for (const s of states) {
    for (const a of [0, 1, 2]) {
      env.setState(s);
      const r = env.step(a);
      assertClose(env.getState(), expectedStep(s, a), 1e-12, `from ${s} action ${a}`);
      if (!r.terminated) assert.equal(r.reward, -1);
    }
  }
});

test('Acrobot: only ONE rk4 step of 0.2 (not substeps): differs from two steps of 0.1', () => {
  const env = makeEnv('Acrobot-v1');
  const s = [1.0, -0.5, 2.0, -3.0];
  env.setState(s);
  env.step(2);
  const two = rk4(rk4(s, 1, 0.1), 1, 0.1);
  assert.ok(Math.abs(env.getState()[2]! - two[2]!) > 1e-6);
});

test('Acrobot: angles wrap into [-pi, pi] and velocities clip to ±4pi / ±9pi', () => {
  const env = makeEnv('Acrobot-v1');
  // theta1 just below pi and moving on: the raw rk4 result exceeds pi and wraps negative.
  const s = [PI - 0.01, 0, 3.0, 0];
  const raw = rk4(s, 0, 0.2);
  assert.ok(raw[0]! > PI);
  env.setState(s);
  env.step(1);
  const [t1] = env.getState() as [number];
  assert.ok(t1 >= -PI && t1 <= PI);
  assert.ok(Math.abs(t1 - (raw[0]! - 2 * PI)) < 1e-12);

  // Velocities at their limits stay clipped there.
  env.setState([0, 0, 4 * PI, 9 * PI]);
  env.step(2);
  const [, , w1, w2] = env.getState() as [number, number, number, number];
  const rawV = rk4([0, 0, 4 * PI, 9 * PI], 1, 0.2);
  assert.ok(Math.abs(rawV[2]!) > 4 * PI || Math.abs(rawV[3]!) > 9 * PI, 'the test state must exceed a limit');
  assert.ok(Math.abs(w1) <= 4 * PI && Math.abs(w2) <= 9 * PI);
  assert.ok(Math.abs(w1) === 4 * PI || Math.abs(w2) === 9 * PI);
});

test('Acrobot: reward is 0 with termination once the tip is above the line, -1 otherwise', () => {
  const env = makeEnv('Acrobot-v1');
  // Both links pointing up: -cos(pi) - cos(pi + 0) = 2 > 1.
  env.setState([PI, 0, 0, 0]);
  const up = env.step(1);
  assert.equal(up.terminated, true);
  assert.equal(up.reward, 0);
  assert.throws(() => env.step(1), /terminated/);
  // Hanging down: -1, not terminated.
  env.setState([0, 0, 0, 0]);
  const down = env.step(1);
  assert.equal(down.terminated, false);
  assert.equal(down.reward, -1);
});

test('Acrobot: observation is [cos1, sin1, cos2, sin2, dtheta1, dtheta2] in float32', () => {
  const env = makeEnv('Acrobot-v1');
  env.setState([0.3, -1.1, 0.5, -0.7]);
  const r = env.step(0);
  const [t1, t2, w1, w2] = env.getState() as [number, number, number, number];
  assert.deepEqual(Array.from(r.obs), [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), w1, w2].map(Math.fround));
});

test('Acrobot: zero torque from rest never terminates and truncates at exactly 500', () => {
  const env = makeEnv('Acrobot-v1');
  env.setState([0, 0, 0, 0]);
  for (let t = 1; t <= 500; t++) {
    const r = env.step(1);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 500, `step ${t}`);
  }
});

test('Acrobot: seeded start states lie in U(-0.1, 0.1)^4, stored as float32 like Gymnasium', () => {
  const env = makeEnv('Acrobot-v1');
  const first = (env.reset(9), env.getState());
  assert.deepEqual((env.reset(9), env.getState()), first);
  for (let seed = 0; seed < 300; seed++) {
    env.reset(seed);
    for (const v of env.getState()) {
      assert.ok(v >= -0.1 && v <= 0.1);
      assert.equal(Math.fround(v), v);
    }
  }
});

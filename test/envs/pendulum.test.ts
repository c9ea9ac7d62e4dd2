// Pendulum-v1 against Gymnasium's published equations: the cost uses the state BEFORE the
// update with the angle normalised to [-pi, pi), and the clipped torque.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../src/rl/envs/index';

const PI = Math.PI;

function normalise(x: number): number {
  // ((x + pi) mod 2pi) - pi with a mathematical (non-negative) modulo.
  return x + PI - 2 * PI * Math.floor((x + PI) / (2 * PI)) - PI;
}

test('Pendulum: cost from the pre-update state, then the semi-implicit update', () => {
  const env = makeEnv('Pendulum-v1');
  const th = 3.5, thdot = 2.0, u = 1.0;
  env.setState([th, thdot]);
  const r = env.step([u]);
  const cost = (3.5 - 2 * PI) ** 2 + 0.1 * 4 + 0.001 * 1;
  assert.ok(Math.abs(r.reward - -cost) < 1e-12, `reward ${r.reward} vs ${-cost}`);
  const newthdot = thdot + (15 * Math.sin(th) + 3 * u) * 0.05;
  const newth = th + newthdot * 0.05;
  const [a, b] = env.getState() as [number, number];
  assert.ok(Math.abs(a - newth) < 1e-14 && Math.abs(b - newthdot) < 1e-14);
  // theta itself is not wrapped.
  env.setState([20.0, 0]);
  env.step([0]);
  assert.ok(env.getState()[0]! > 19);
  assert.equal(r.terminated, false);
});

test('Pendulum: angle normalisation in the cost for negative and large angles', () => {
  const env = makeEnv('Pendulum-v1');
  for (const th of [-3.5, -10.0, 7.0, 0.3, -PI + 1e-9, 13.0]) {
    env.setState([th, 0.5]);
    const r = env.step([0]);
    const expected = -(normalise(th) ** 2 + 0.1 * 0.25);
    assert.ok(Math.abs(r.reward - expected) < 1e-12, `theta ${th}: ${r.reward} vs ${expected}`);
  }
});

test('Pendulum: torque is clipped to ±2 in both the dynamics and the cost', () => {
  const env = makeEnv('Pendulum-v1');
  env.setState([1.0, -0.5]);
  const big = env.step([5]);
  const afterBig = env.getState();
  env.setState([1.0, -0.5]);
  const two = env.step([2]);
  assert.deepEqual(afterBig, env.getState());
  assert.equal(big.reward, two.reward);
  assert.ok(Math.abs(two.reward - -(1 + 0.1 * 0.25 + 0.001 * 4)) < 1e-12);
  env.setState([1.0, -0.5]);
  const neg = env.step([-7]);
  assert.ok(Math.abs(neg.reward - -(1 + 0.1 * 0.25 + 0.004)) < 1e-12);
});

test('Pendulum: angular velocity is clipped to ±8', () => {
  const env = makeEnv('Pendulum-v1');
  env.setState([PI / 2, 7.9]);
  env.step([2]);
  assert.equal(env.getState()[1], 8);
  assert.ok(Math.abs(env.getState()[0]! - (PI / 2 + 8 * 0.05)) < 1e-15);
  env.setState([-PI / 2, -7.9]);
  env.step([-2]);
  assert.equal(env.getState()[1], -8);
});

test('Pendulum: observation is [cos theta, sin theta, thetadot] in float32', () => {
  const env = makeEnv('Pendulum-v1');
  env.setState([2.2, -1.3]);
  const r = env.step([0.7]);
  const [th, thdot] = env.getState() as [number, number];
  assert.deepEqual(Array.from(r.obs), [Math.cos(th), Math.sin(th), thdot].map(Math.fround));
});

test('Pendulum: never terminates, truncates at exactly 200; setState restarts the count', () => {
  const env = makeEnv('Pendulum-v1');
  env.reset(0);
  for (let t = 1; t <= 150; t++) env.step([1]);
  env.setState([0.1, 0]);
  for (let t = 1; t <= 200; t++) {
    const r = env.step([t % 2 ? 2 : -2]);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 200, `step ${t}`);
  }
  // Like Gymnasium's TimeLimit, stepping on after truncation keeps reporting truncated.
  assert.equal(env.step([0]).truncated, true);
});

test('Pendulum: start theta U(-pi, pi), thetadot U(-1, 1); seeded resets repeat', () => {
  const env = makeEnv('Pendulum-v1');
  let minTh = Infinity, maxTh = -Infinity;
  for (let seed = 0; seed < 400; seed++) {
    env.reset(seed);
    const [th, thdot] = env.getState() as [number, number];
    assert.ok(th >= -PI && th < PI && thdot >= -1 && thdot < 1);
    minTh = Math.min(minTh, th);
    maxTh = Math.max(maxTh, th);
  }
  assert.ok(minTh < -3 && maxTh > 3, 'the whole angle range is used');
  const a = Array.from(env.reset(123));
  assert.deepEqual(Array.from(env.reset(123)), a);
});

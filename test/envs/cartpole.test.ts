// CartPole-v1 against the published equations (Barto, Sutton & Anderson 1983, as written in
// Gymnasium's cartpole.py): explicit Euler, force ±10, reward 1 including the terminating step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../src/rl/envs/index';

/** One Euler step of the cart-pole equations, written out independently of the env. */
function expectedStep(s: number[], action: number): number[] {
  const [x, xDot, th, thDot] = s as [number, number, number, number];
  const g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, tau = 0.02;
  const F = action === 1 ? 10 : -10;
  const M = mc + mp;
  const temp = (F + mp * l * thDot ** 2 * Math.sin(th)) / M;
  const thAcc = (g * Math.sin(th) - Math.cos(th) * temp) / (l * (4 / 3 - (mp * Math.cos(th) ** 2) / M));
  const xAcc = temp - (mp * l * thAcc * Math.cos(th)) / M;
  return [x + tau * xDot, xDot + tau * xAcc, th + tau * thDot, thDot + tau * thAcc];
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('CartPole: push right from rest matches numbers worked out by hand', () => {
  const env = makeEnv('CartPole-v1');
  env.setState([0, 0, 0, 0]);
  const r = env.step(1);
  // temp = 10/1.1 = 9.090909; thetaacc = -temp / (0.5 (4/3 - 0.1/1.1)) = -14.634146;
  // xacc = temp - 0.05 thetaacc / 1.1 = 9.756098; Euler: x_dot = 0.02 xacc, theta_dot = 0.02 thetaacc.
  assertClose(env.getState(), [0, 0.19512195, 0, -0.29268293], 1e-7, 'state');
  assert.equal(r.reward, 1);
  assert.equal(r.terminated, false);
  assert.equal(r.truncated, false);
});

test('CartPole: steps match the equations for both forces from several states', () => {
  const env = makeEnv('CartPole-v1');
  const states = [
    [0.01, -0.02, 0.03, 0.04],
    [-1.3, 0.7, -0.15, 1.1],
    [2.0, -1.5, 0.18, -2.0],
  ];
  for (const s of states) {
    for (const a of [0, 1]) {
      env.setState(s);
      const r = env.step(a);
      assertClose(env.getState(), expectedStep(s, a), 1e-14, `state from ${s} action ${a}`);
      assert.equal(r.reward, 1);
      // The observation is the new state in float32, in Gymnasium's order.
      assert.ok(r.obs instanceof Float32Array);
      assert.deepEqual(Array.from(r.obs), env.getState().map(Math.fround));
    }
  }
});

test('CartPole: the terminating step pays 1 and further steps throw until reset', () => {
  const env = makeEnv('CartPole-v1');
  const thr = (12 * 2 * Math.PI) / 360;
  // Pole just inside the limit and falling further: Euler moves theta by 0.02 * 1.0.
  env.setState([0, 0, thr - 0.01, 1.0]);
  const r = env.step(1);
  assert.ok(env.getState()[2]! > thr);
  assert.equal(r.terminated, true);
  assert.equal(r.reward, 1);
  assert.throws(() => env.step(0), /terminated.*reset/);
  env.reset(3);
  assert.doesNotThrow(() => env.step(0));

  // Cart leaving the track on the right: x' = 2.39 + 0.02 * 1.0 > 2.4.
  env.setState([2.39, 1.0, 0, 0]);
  assert.equal(env.step(1).terminated, true);
  // And on the left.
  env.setState([-2.39, -1.0, 0, 0]);
  assert.equal(env.step(0).terminated, true);
  // Inside every limit: not terminated.
  env.setState([2.3, 1.0, thr - 0.03, 1.0]);
  assert.equal(env.step(0).terminated, false);
});

test('CartPole: truncated exactly at step 500 under a balancing controller', () => {
  const env = makeEnv('CartPole-v1');
  env.reset(0);
  let steps = 0;
  for (;;) {
    const [x, xd, th, thd] = env.getState() as [number, number, number, number];
    const r = env.step(0.1 * x + 0.5 * xd + 10 * th + 2 * thd > 0 ? 1 : 0);
    steps++;
    assert.equal(r.terminated, false, `fell at step ${steps}`);
    if (r.truncated) break;
    assert.ok(steps < 500, 'not truncated at 500');
  }
  assert.equal(steps, 500);
});

test('CartPole: seeded resets are reproducible and start in U(-0.05, 0.05)^4', () => {
  const a = makeEnv('CartPole-v1');
  const b = makeEnv('CartPole-v1');
  assert.deepEqual(Array.from(a.reset(42)), Array.from(b.reset(42)));
  assert.deepEqual(a.getState(), b.getState());
  // Without a seed, each env continues its own generator: the same sequence in both.
  assert.deepEqual(Array.from(a.reset()), Array.from(b.reset()));
  assert.notDeepEqual(a.getState(), (b.reset(42), b.getState()));
  let min = Infinity, max = -Infinity;
  for (let seed = 0; seed < 500; seed++) {
    a.reset(seed);
    for (const v of a.getState()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  assert.ok(min >= -0.05 && max < 0.05, `${min}..${max}`);
  assert.ok(min < -0.049 && max > 0.049, 'the whole interval is used');
});

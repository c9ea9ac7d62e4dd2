// MountainCar-v0 and MountainCarContinuous-v0 against Gymnasium's published update rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../src/rl/envs/index';

test('MountainCar: one step follows v += (a-1)*0.001 - 0.0025 cos(3p); p += v', () => {
  const env = makeEnv('MountainCar-v0');
  for (const [p, v] of [[-0.5, 0], [-0.3, 0.02], [0.1, -0.04]] as const) {
    for (const a of [0, 1, 2]) {
      env.setState([p, v]);
      const r = env.step(a);
      const v1 = v + (a - 1) * 0.001 - 0.0025 * Math.cos(3 * p);
      const p1 = p + v1;
      const [pn, vn] = env.getState() as [number, number];
      assert.ok(Math.abs(vn - v1) < 1e-15 && Math.abs(pn - p1) < 1e-15, `from ${p},${v} a=${a}`);
      assert.equal(r.reward, -1);
      assert.equal(r.terminated, false);
      assert.deepEqual(Array.from(r.obs), [Math.fround(pn), Math.fround(vn)]);
    }
  }
});

test('MountainCar: hitting the left wall at -1.2 stops the car (velocity reset to 0)', () => {
  const env = makeEnv('MountainCar-v0');
  env.setState([-1.19, -0.05]);
  env.step(0);
  assert.deepEqual(env.getState(), [-1.2, 0]);
  // Moving right at the wall keeps its velocity.
  env.setState([-1.2, 0.01]);
  env.step(2);
  assert.ok(env.getState()[1]! > 0);
});

test('MountainCar: velocity is clipped to ±0.07', () => {
  const env = makeEnv('MountainCar-v0');
  env.setState([-0.5, 0.0695]);
  env.step(2); // +0.001 - 0.0025 cos(-1.5) ≈ +0.00082 would exceed 0.07
  assert.equal(env.getState()[1], 0.07);
  env.setState([-0.1, -0.0695]);
  env.step(0);
  assert.equal(env.getState()[1], -0.07);
});

test('MountainCar: reaching position 0.5 terminates with reward -1', () => {
  const env = makeEnv('MountainCar-v0');
  env.setState([0.49, 0.02]);
  const r = env.step(2);
  assert.ok(env.getState()[0]! >= 0.5);
  assert.equal(r.terminated, true);
  assert.equal(r.reward, -1);
  assert.throws(() => env.step(1), /terminated/);
});

test('MountainCar: no push from the valley truncates at exactly 200', () => {
  const env = makeEnv('MountainCar-v0');
  env.reset(5);
  for (let t = 1; t <= 200; t++) {
    const r = env.step(1);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 200, `step ${t}`);
  }
});

test('MountainCar: start position U(-0.6, -0.4), velocity 0; seeded resets repeat', () => {
  const env = makeEnv('MountainCar-v0');
  for (let seed = 0; seed < 300; seed++) {
    env.reset(seed);
    const [p, v] = env.getState() as [number, number];
    assert.ok(p >= -0.6 && p < -0.4);
    assert.equal(v, 0);
  }
  const a = Array.from(env.reset(77));
  assert.deepEqual(Array.from(env.reset(77)), a);
});

test('MountainCarContinuous: force is the clipped action, the penalty uses the UNclipped one', () => {
  const env = makeEnv('MountainCarContinuous-v0');
  const s = [-0.5, 0.01];
  env.setState(s);
  const big = env.step([3]);
  const afterBig = env.getState();
  env.setState(s);
  const one = env.step([1]);
  assert.deepEqual(afterBig, env.getState(), 'action 3 moves the car exactly as action 1');
  assert.ok(Math.abs(big.reward - -0.1 * 9) < 1e-15, `reward ${big.reward}`);
  assert.ok(Math.abs(one.reward - -0.1) < 1e-15);
  // The published update, with the state kept in float32 as Gymnasium stores it.
  const v1 = 0.01 + 1 * 0.0015 - 0.0025 * Math.cos(3 * -0.5);
  assert.deepEqual(afterBig, [Math.fround(-0.5 + v1), Math.fround(v1)]);
  // A plain number is accepted as the one-element action too.
  env.setState(s);
  assert.equal(env.step(-2).reward, -0.1 * 4);
  env.setState(s);
  assert.equal(env.step(new Float32Array([0.5]) as unknown as number[]).reward, -0.1 * 0.25);
});

test('MountainCarContinuous: the goal at 0.45 pays 100 minus the action penalty', () => {
  const env = makeEnv('MountainCarContinuous-v0');
  env.setState([0.44, 0.03]);
  const r = env.step([0.5]);
  assert.equal(r.terminated, true);
  assert.ok(Math.abs(r.reward - (100 - 0.1 * 0.25)) < 1e-12);
  env.setState([-1.19, -0.05]);
  env.step([-1]);
  assert.deepEqual(env.getState(), [Math.fround(-1.2), 0]);
});

test('MountainCarContinuous: zero force truncates at exactly 999', () => {
  const env = makeEnv('MountainCarContinuous-v0');
  env.reset(1);
  for (let t = 1; t <= 999; t++) {
    const r = env.step([0]);
    assert.equal(r.reward, 0);
    assert.equal(r.truncated, t === 999, `step ${t}`);
  }
});

test('MountainCarContinuous: rejects non-finite actions with a clear error', () => {
  const env = makeEnv('MountainCarContinuous-v0');
  env.reset(0);
  assert.throws(() => env.step([Number.NaN]), /finite number/);
  assert.throws(() => env.step([0.1, 0.2]), /one-element array/);
});

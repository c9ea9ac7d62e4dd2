// makeEnv / listEnvs and the API behaviour every env shares (DESIGN.md §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envIds, listEnvs, makeEnv } from '../../src/rl/envs/index';

const CLASSIC = ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];

test('listEnvs reports Gymnasium time limits, thresholds and spaces', () => {
  const info = new Map(listEnvs().map((e) => [e.id, e]));
  for (const id of [...CLASSIC, 'ProcMaze-v0', 'ProcMazeHeldout-v0']) assert.ok(info.has(id), id);
  const expect: Record<string, [number, number | undefined, string, number[]]> = {
    'CartPole-v1': [500, 475, 'discrete', [4]],
    'Acrobot-v1': [500, -100, 'discrete', [6]],
    'MountainCar-v0': [200, -110, 'discrete', [2]],
    'MountainCarContinuous-v0': [999, 90, 'box', [2]],
    'Pendulum-v1': [200, undefined, 'box', [3]],
  };
  for (const [id, [limit, threshold, kind, shape]] of Object.entries(expect)) {
    const e = info.get(id)!;
    assert.equal(e.maxEpisodeSteps, limit, id);
    assert.equal(e.rewardThreshold, threshold, id);
    assert.equal(e.actionSpace.kind, kind, id);
    assert.deepEqual(e.observationSpace.shape, shape, id);
  }
  const cp = info.get('CartPole-v1')!;
  assert.deepEqual(cp.actionSpace, { kind: 'discrete', n: 2 });
  assert.deepEqual(cp.observationSpace.high, [4.8, Infinity, 2 * ((12 * 2 * Math.PI) / 360), Infinity].map(Math.fround));
  assert.deepEqual(info.get('Acrobot-v1')!.actionSpace, { kind: 'discrete', n: 3 });
  assert.deepEqual(info.get('Acrobot-v1')!.observationSpace.high, [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI].map(Math.fround));
  assert.deepEqual(info.get('Pendulum-v1')!.actionSpace, { kind: 'box', low: [-2], high: [2], shape: [1] });
  assert.deepEqual(info.get('Pendulum-v1')!.observationSpace.high, [1, 1, 8]);
  assert.deepEqual(info.get('MountainCarContinuous-v0')!.actionSpace, { kind: 'box', low: [-1], high: [1], shape: [1] });
  assert.deepEqual(info.get('MountainCar-v0')!.observationSpace.low, [-1.2, -0.07].map(Math.fround));
});

test('makeEnv names the valid ids when the id is unknown', () => {
  assert.throws(() => makeEnv('CartPole-v0'), (e: Error) => {
    for (const id of CLASSIC) assert.ok(e.message.includes(id), `message lists ${id}: ${e.message}`);
    return /unknown environment "CartPole-v0"/.test(e.message);
  });
  assert.deepEqual(envIds().slice(0, 5), CLASSIC);
});

test('every env: reset gives a Float32Array of the declared shape; seeded resets repeat', () => {
  for (const id of envIds()) {
    const a = makeEnv(id);
    const b = makeEnv(id);
    const oa = a.reset(2024);
    const ob = b.reset(2024);
    assert.ok(oa instanceof Float32Array, id);
    assert.equal(oa.length, a.observationSpace.shape[0], id);
    assert.deepEqual(Array.from(oa), Array.from(ob), id);
    assert.deepEqual(a.getState(), b.getState(), id);
    // reset() without a seed continues each env's own generator identically.
    assert.deepEqual(Array.from(a.reset()), Array.from(b.reset()), id);
  }
});

test('every env: step before reset, after termination and with bad actions throws clearly', () => {
  for (const id of envIds()) {
    const env = makeEnv(id);
    assert.throws(() => env.step(0), /before reset/, id);
    env.reset(0);
    const space = env.actionSpace;
    if (space.kind === 'discrete') {
      const n = space.n;
      assert.throws(() => env.step(n), /integer in 0\.\./, id);
      assert.throws(() => env.step(0.5), /integer in 0\.\./, id);
      assert.throws(() => env.step(-1), /integer in 0\.\./, id);
    } else {
      assert.throws(() => env.step(Number.NaN), /finite/, id);
    }
    assert.throws(() => env.setState([1]), /setState needs/, id);
    assert.throws(() => env.reset(-1), /non-negative integer/, id);
  }
});

test('setState restarts the time-limit counter and clears a terminated episode', () => {
  const env = makeEnv('CartPole-v1');
  env.setState([0, 0, 0.5, 0]); // beyond 12 degrees: terminates at once
  assert.equal(env.step(0).terminated, true);
  assert.throws(() => env.step(0));
  env.setState([0, 0, 0, 0]);
  assert.equal(env.step(0).terminated, false);

  const limited = makeEnv('MountainCar-v0', { maxEpisodeSteps: 3 });
  assert.equal(limited.maxEpisodeSteps, 3);
  limited.reset(0);
  limited.step(1);
  limited.step(1);
  limited.setState(limited.getState());
  assert.equal(limited.step(1).truncated, false);
  assert.equal(limited.step(1).truncated, false);
  assert.equal(limited.step(1).truncated, true);
});

test('getState / setState round-trip reproduces the trajectory', () => {
  for (const id of envIds()) {
    const env = makeEnv(id);
    env.reset(11);
    const action = env.actionSpace.kind === 'discrete' ? 1 : [0.3];
    for (let i = 0; i < 3; i++) env.step(action);
    const saved = env.getState();
    const first = env.step(action);
    const after = env.getState();
    env.setState(saved);
    const again = env.step(action);
    assert.deepEqual(env.getState(), after, id);
    assert.deepEqual(Array.from(again.obs), Array.from(first.obs), id);
    assert.equal(again.reward, first.reward, id);
  }
});

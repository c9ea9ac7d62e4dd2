// VectorEnv: seeding, same-step autoreset with finalObs, episode records, snapshots.
// Each check compares against plain single envs driven by hand with the same seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv, makeVectorEnv } from '../../src/rl/envs/index';

test('vector reset seeds copy i with seed + i', () => {
  const vec = makeVectorEnv('Acrobot-v1', 3);
  const obs = vec.reset(10);
  assert.equal(obs.length, 3 * 6);
  for (let i = 0; i < 3; i++) {
    const single = makeEnv('Acrobot-v1').reset(10 + i);
    assert.deepEqual(Array.from(obs.subarray(i * 6, (i + 1) * 6)), Array.from(single));
  }
});

test('same-step autoreset: obs holds the new episode, finalObs the last one; records match', () => {
  const n = 3;
  const vec = makeVectorEnv('CartPole-v1', n);
  vec.reset(100);
  const singles = Array.from({ length: n }, (_, i) => makeEnv('CartPole-v1'));
  const single0 = singles.map((e, i) => e.reset(100 + i));
  const ret = new Array<number>(n).fill(0);
  const len = new Array<number>(n).fill(0);
  const expectedRecords: { envIndex: number; return: number; length: number }[] = [];
  for (let i = 0; i < n; i++) assert.deepEqual(Array.from(vec.obs.subarray(i * 4, i * 4 + 4)), Array.from(single0[i]!));

  const actions = new Int32Array(n);
  let ended = 0;
  for (let t = 0; t < 120; t++) {
    // Copy i pushes in a fixed pattern, so poles fall and episodes end at different times.
    for (let i = 0; i < n; i++) actions[i] = (t + i) % 3 === 0 ? 0 : 1;
    vec.step(actions);
    for (let i = 0; i < n; i++) {
      const r = singles[i]!.step(actions[i]!);
      ret[i]! += r.reward;
      len[i]! += 1;
      assert.equal(vec.rewards[i], r.reward);
      assert.equal(vec.terminated[i], r.terminated ? 1 : 0);
      assert.equal(vec.truncated[i], r.truncated ? 1 : 0);
      if (r.terminated || r.truncated) {
        ended++;
        assert.deepEqual(Array.from(vec.finalObs.subarray(i * 4, i * 4 + 4)), Array.from(r.obs), 'final observation');
        expectedRecords.push({ envIndex: i, return: ret[i]!, length: len[i]! });
        ret[i] = 0;
        len[i] = 0;
        const fresh = singles[i]!.reset(); // continues the copy's own generator
        assert.deepEqual(Array.from(vec.obs.subarray(i * 4, i * 4 + 4)), Array.from(fresh), 'first obs of the next episode');
      } else {
        assert.deepEqual(Array.from(vec.obs.subarray(i * 4, i * 4 + 4)), Array.from(r.obs));
      }
    }
  }
  assert.ok(ended >= 6, `several episodes should end (${ended})`);
  const records = vec.drainEpisodes();
  assert.deepEqual(
    records.map((r) => ({ envIndex: r.envIndex, return: r.return, length: r.length })),
    expectedRecords,
  );
  assert.ok(records.every((r) => r.terminated));
  assert.deepEqual(vec.drainEpisodes(), [], 'draining empties the queue');
});

test('truncation in the vector env: flags at exactly the limit, records of full length', () => {
  const vec = makeVectorEnv('Pendulum-v1', 2);
  vec.reset(0);
  const actions = new Float32Array([1, -1]);
  for (let t = 1; t <= 200; t++) {
    vec.step(actions);
    assert.deepEqual(Array.from(vec.truncated), t === 200 ? [1, 1] : [0, 0], `step ${t}`);
    assert.deepEqual(Array.from(vec.terminated), [0, 0]);
  }
  const recs = vec.drainEpisodes();
  assert.deepEqual(recs.map((r) => [r.envIndex, r.length, r.terminated]), [[0, 200, false], [1, 200, false]]);
  assert.ok(recs.every((r) => r.return < 0));
  // The new episodes run on: another 200 steps truncate again.
  for (let t = 1; t <= 200; t++) vec.step(actions);
  assert.equal(vec.drainEpisodes().length, 2);
});

test('vector snapshot/restore continues bit for bit', () => {
  const vec = makeVectorEnv('MountainCarContinuous-v0', 4, { maxEpisodeSteps: 30 });
  vec.reset(5);
  const act = new Float32Array(4);
  const run = (steps: number) => {
    const trace: number[] = [];
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < 4; i++) act[i] = Math.sin(t * 0.3 + i);
      vec.step(act);
      trace.push(...vec.obs, ...vec.rewards, ...vec.truncated);
    }
    return trace;
  };
  run(17);
  const snap = JSON.parse(JSON.stringify(vec.snapshot()));
  const first = run(40);
  const recsFirst = vec.drainEpisodes();
  vec.restore(snap);
  const second = run(40);
  assert.deepEqual(second, first);
  assert.deepEqual(vec.drainEpisodes(), recsFirst);
});

test('vector env checks its inputs', () => {
  const vec = makeVectorEnv('CartPole-v1', 2);
  assert.throws(() => vec.step([0, 1]), /before reset/);
  vec.reset(0);
  assert.throws(() => vec.step([0]), /needs 2 actions/);
  const before = JSON.stringify(vec.snapshot());
  assert.throws(() => vec.step([0, 2]), /integer in 0\.\.1/);
  assert.equal(JSON.stringify(vec.snapshot()), before, 'a bad action leaves every copy unstepped');
  assert.throws(() => makeVectorEnv('Nope-v0', 2), /valid ids/);
  assert.throws(() => makeVectorEnv('CartPole-v1', 0), /positive integer/);
});

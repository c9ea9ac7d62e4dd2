import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../src/rl/algos/replay';
import { epsilonAt } from '../../src/rl/algos/dqn-schedule';
import { Rng } from '../../src/rl/rng';

// Transition i has obs [i, -i], action i % 3, reward i / 10, next obs [i + 1, -(i + 1)], terminated when i % 4 == 3.
function fill(buf: ReplayBuffer, from: number, to: number): void {
  for (let i = from; i < to; i++) buf.add([i, -i], i % 3, i / 10, [i + 1, -(i + 1)], i % 4 === 3);
}

test('the buffer wraps around, keeping the newest transitions, and samples consistent rows', () => {
  const buf = new ReplayBuffer(5, 2, 1);
  fill(buf, 0, 3);
  assert.equal(buf.size, 3);
  fill(buf, 3, 8); // 8 transitions into 5 slots: 3..7 remain
  assert.equal(buf.size, 5);
  const rng = new Rng(1);
  const seen = new Set<number>();
  for (let t = 0; t < 20; t++) {
    const b = buf.sample(4, rng);
    for (let r = 0; r < 4; r++) {
      const i = b.obs[r * 2];
      seen.add(i);
      assert.equal(b.obs[r * 2 + 1], -i);
      assert.equal(b.nextObs[r * 2], i + 1);
      assert.equal(b.actions[r], i % 3);
      assert.ok(Math.abs(b.rewards[r] - i / 10) < 1e-6);
      assert.equal(b.terminated[r], i % 4 === 3 ? 1 : 0);
    }
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
});

test('multi-dimensional actions are stored and sampled whole', () => {
  const buf = new ReplayBuffer(3, 1, 2);
  buf.add([1], [0.5, -0.5], 1, [2], false);
  const b = buf.sample(2, new Rng(0));
  assert.deepEqual([...b.actions], [0.5, -0.5, 0.5, -0.5]);
});

test('resize keeps the newest transitions in order, when shrinking and when growing', () => {
  const buf = new ReplayBuffer(6, 2, 1);
  fill(buf, 0, 9); // slots hold 3..8, pos = 3
  buf.resize(4); // keeps 5..8
  assert.equal(buf.size, 4);
  assert.equal(buf.capacity, 4);
  const kept = new Set<number>();
  const rng = new Rng(2);
  for (let t = 0; t < 30; t++) kept.add(buf.sample(1, rng).obs[0]);
  assert.deepEqual([...kept].sort(), [5, 6, 7, 8]);
  buf.resize(10);
  assert.equal(buf.size, 4);
  fill(buf, 9, 12);
  assert.equal(buf.size, 7);
  fill(buf, 12, 20); // 15 entries into 10 slots: 10..19 remain
  const after = new Set<number>();
  for (let t = 0; t < 200; t++) after.add(buf.sample(1, rng).obs[0]);
  assert.deepEqual([...after].sort((a, b) => a - b), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
});

test('a buffer rebuilt from its arrays samples the same batches', () => {
  const buf = new ReplayBuffer(7, 2, 1);
  fill(buf, 0, 10);
  const copy = ReplayBuffer.fromArrays(buf.getState(), buf.toArrays());
  const r1 = new Rng(5);
  const r2 = new Rng(5);
  for (let t = 0; t < 5; t++) assert.deepEqual(copy.sample(3, r2), buf.sample(3, r1));
  fill(buf, 10, 12);
  fill(copy, 10, 12);
  assert.deepEqual(copy.toArrays(), buf.toArrays());
  assert.throws(() => ReplayBuffer.fromArrays(buf.getState(), {}), /replay array "replay\/obs" is missing/);
});

test('epsilon decays linearly over exploration_fraction of the budget, then stays at the final value', () => {
  const s = { exploration_initial_eps: 1, exploration_final_eps: 0.04, exploration_fraction: 0.16 };
  assert.equal(epsilonAt(s, 0, 50_000), 1);
  assert.ok(Math.abs(epsilonAt(s, 4000, 50_000) - (1 - 0.5 * 0.96)) < 1e-12);
  assert.equal(epsilonAt(s, 8001, 50_000), 0.04);
  assert.equal(epsilonAt(s, 49_999, 50_000), 0.04);
  assert.equal(epsilonAt({ ...s, exploration_fraction: 0 }, 0, 100), 0.04);
});

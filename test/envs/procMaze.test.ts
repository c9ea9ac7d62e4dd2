// ProcMaze: levels are deterministic per seed, always solvable (checked by BFS here), the
// training and held-out sets are disjoint, and the env pays the MiniGrid-style reward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateMazeLevel,
  heldoutLevelSeeds,
  makeEnv,
  trainingLevelSeeds,
  type MazeLevel,
} from '../../src/rl/envs/index';
import { ProcMazeEnv } from '../../src/rl/envs/procMaze';

const DR = [-1, 0, 1, 0];
const DC = [0, 1, 0, -1];

/** Shortest action sequence from start to goal by breadth-first search, or null. */
function solve(level: MazeLevel, from = level.start): number[] | null {
  const S = level.size;
  const prev = new Int32Array(S * S).fill(-1);
  const how = new Int8Array(S * S);
  const startIdx = from[0] * S + from[1];
  const goalIdx = level.goal[0] * S + level.goal[1];
  prev[startIdx] = startIdx;
  const queue = [startIdx];
  for (let q = 0; q < queue.length; q++) {
    const cur = queue[q]!;
    if (cur === goalIdx) break;
    const r = Math.floor(cur / S), c = cur % S;
    for (let a = 0; a < 4; a++) {
      const nr = r + DR[a]!, nc = c + DC[a]!;
      if (nr < 0 || nc < 0 || nr >= S || nc >= S) continue;
      const ni = nr * S + nc;
      if (level.walls[ni] || prev[ni] !== -1) continue;
      prev[ni] = cur;
      how[ni] = a;
      queue.push(ni);
    }
  }
  if (prev[goalIdx] === -1) return null;
  const path: number[] = [];
  for (let i = goalIdx; i !== startIdx; i = prev[i]!) path.push(how[i]!);
  return path.reverse();
}

const key = (l: MazeLevel) => `${Array.from(l.walls).join('')}|${l.start}|${l.goal}`;

test('a level seed always builds the same level; different seeds give different levels', () => {
  assert.deepEqual(generateMazeLevel(17), generateMazeLevel(17));
  const distinct = new Set(trainingLevelSeeds(200).map((s) => key(generateMazeLevel(s))));
  assert.equal(distinct.size, 200);
});

test('every training and held-out level is solvable within the time limit', () => {
  const limit = makeEnv('ProcMaze-v0').maxEpisodeSteps;
  for (const seed of [...trainingLevelSeeds(), ...heldoutLevelSeeds()]) {
    const level = generateMazeLevel(seed);
    // Border all wall, start and goal open and different.
    const S = level.size;
    for (let i = 0; i < S; i++) {
      assert.ok(level.walls[i] && level.walls[(S - 1) * S + i] && level.walls[i * S] && level.walls[i * S + S - 1]);
    }
    assert.equal(level.walls[level.start[0] * S + level.start[1]], 0);
    assert.equal(level.walls[level.goal[0] * S + level.goal[1]], 0);
    assert.notDeepEqual(level.start, level.goal);
    const path = solve(level);
    assert.ok(path, `level ${seed} has no path`);
    assert.ok(path.length <= 48 && path.length < limit, `level ${seed}: ${path.length} steps`);
  }
});

test('training and held-out level sets are disjoint, by seed and by layout', () => {
  const train = trainingLevelSeeds();
  const held = heldoutLevelSeeds();
  assert.equal(train.length, 200);
  assert.equal(held.length, 100);
  const trainSet = new Set(train);
  assert.ok(held.every((s) => !trainSet.has(s)));
  const layouts = new Set(train.map((s) => key(generateMazeLevel(s))));
  assert.ok(held.every((s) => !layouts.has(key(generateMazeLevel(s)))));
});

test('ProcMaze-v0 plays training levels, ProcMazeHeldout-v0 held-out ones, both reproducibly', () => {
  const trainEnv = makeEnv('ProcMaze-v0') as ProcMazeEnv;
  const heldEnv = makeEnv('ProcMazeHeldout-v0') as ProcMazeEnv;
  const trainSet = new Set(trainingLevelSeeds());
  const heldSet = new Set(heldoutLevelSeeds());
  const seen = new Set<number>();
  trainEnv.reset(0);
  for (let i = 0; i < 300; i++) {
    trainEnv.reset();
    heldEnv.reset(i);
    assert.ok(trainSet.has(trainEnv.currentLevelSeed));
    assert.ok(heldSet.has(heldEnv.currentLevelSeed));
    seen.add(trainEnv.currentLevelSeed);
  }
  assert.ok(seen.size > 100, `levels are drawn across the set (${seen.size})`);
  const a = makeEnv('ProcMaze-v0');
  const b = makeEnv('ProcMaze-v0');
  assert.deepEqual(Array.from(a.reset(5)), Array.from(b.reset(5)));
  assert.deepEqual(a.getState(), b.getState());
  const explicit = new ProcMazeEnv({ levelSeeds: [42] });
  explicit.reset(0);
  assert.equal(explicit.currentLevelSeed, 42);
  assert.throws(() => new ProcMazeEnv({ levelSeeds: [] }), /at least one level/);
  assert.throws(() => new ProcMazeEnv({ levelSeeds: [1.5] }), /level seed/);
});

test('following the BFS path reaches the goal with reward 1 - 0.9 * steps / limit', () => {
  const env = makeEnv('ProcMaze-v0');
  for (let seed = 0; seed < 20; seed++) {
    env.reset(seed);
    const [levelSeed] = env.getState() as [number];
    const level = generateMazeLevel(levelSeed);
    assert.deepEqual(env.getState().slice(1), level.start);
    const path = solve(level)!;
    for (let k = 0; k < path.length; k++) {
      const r = env.step(path[k]!);
      const last = k === path.length - 1;
      assert.equal(r.terminated, last);
      assert.equal(r.reward, last ? 1 - (0.9 * path.length) / env.maxEpisodeSteps : 0);
    }
    assert.deepEqual(env.getState().slice(1), level.goal);
  }
});

test('walking into a wall stays put; the time limit truncates at exactly 120', () => {
  const env = makeEnv('ProcMaze-v0');
  env.reset(3);
  const level = generateMazeLevel(env.getState()[0]!);
  const [r0, c0] = level.start;
  const blocked = [0, 1, 2, 3].find((a) => level.walls[(r0 + DR[a]!) * level.size + c0 + DC[a]!] === 1);
  assert.notEqual(blocked, undefined, 'a room always has a wall around it somewhere');
  for (let t = 1; t <= 120; t++) {
    const r = env.step(blocked!);
    assert.deepEqual(env.getState().slice(1), level.start);
    assert.equal(r.reward, 0);
    assert.equal(r.truncated, t === 120, `step ${t}`);
  }
});

test('observation: 7x7 wall plane, 7x7 goal plane, then the goal offset', () => {
  const env = makeEnv('ProcMaze-v0');
  assert.deepEqual(env.observationSpace.shape, [100]);
  const obs = env.reset(8);
  const [seed, row, col] = env.getState() as [number, number, number];
  const level = generateMazeLevel(seed);
  const S = level.size;
  for (let dr = -3; dr <= 3; dr++) {
    for (let dc = -3; dc <= 3; dc++) {
      const i = (dr + 3) * 7 + (dc + 3);
      const r = row + dr, c = col + dc;
      const inside = r >= 0 && c >= 0 && r < S && c < S;
      assert.equal(obs[i], inside ? level.walls[r * S + c] : 1, `wall at ${dr},${dc}`);
      assert.equal(obs[49 + i], inside && r === level.goal[0] && c === level.goal[1] ? 1 : 0);
    }
  }
  assert.equal(obs[24], 0, 'the agent stands on an open square');
  assert.equal(obs[98], Math.fround((level.goal[1] - col) / 10));
  assert.equal(obs[99], Math.fround((level.goal[0] - row) / 10));
});

test('setState puts the agent on an open square of any level and rejects walls', () => {
  const env = makeEnv('ProcMaze-v0');
  env.reset(0);
  const level = generateMazeLevel(1_000_003);
  env.setState([1_000_003, level.goal[0], level.goal[1] ]);
  assert.deepEqual(env.getState(), [1_000_003, ...level.goal]);
  const before = env.getState();
  assert.throws(() => env.setState([7, 0, 0]), /not an open square/);
  assert.deepEqual(env.getState(), before, 'a rejected setState changes nothing');
});

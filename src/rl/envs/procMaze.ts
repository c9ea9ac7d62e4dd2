// ProcMaze-v0: a procedurally generated maze family for testing generalisation (in the spirit
// of Procgen's `num_levels` / `start_level` and MiniGrid's mazes).
//
// Levels. A level is a non-negative integer seed; the same seed always builds the same maze.
// The generator seeds its own Rng with the level seed, carves a perfect maze over a 5×5 lattice
// of rooms (randomised depth-first search, so every room is reachable) on an 11×11 grid whose
// border is wall, knocks out 2 more walls between rooms (so some levels have loops), and places
// the agent and the goal in two different rooms.
//   - Training levels:  seeds 0 .. numTrainLevels-1            (default 200)
//   - Held-out levels:  seeds 1_000_000 .. 1_000_000+numHeldoutLevels-1 (default 100)
//   The two ranges never overlap. `makeEnv('ProcMaze-v0')` plays the training levels;
//   `makeEnv('ProcMazeHeldout-v0')` plays the held-out ones (evaluation only). `createProcMaze`
//   takes explicit sizes or an explicit list of level seeds.
// Each reset draws a level uniformly from the env's set with the env's own generator, so
// reset(seed) is reproducible and reset() without a seed continues that generator.
//
// Actions: Discrete(4): 0 up, 1 right, 2 down, 3 left. Walking into a wall leaves the agent put.
// Reward: 1 - 0.9 * (steps taken / maxEpisodeSteps) on the step that reaches the goal (which
// terminates the episode, as MiniGrid), 0 otherwise. Time limit 120 steps (a shortest path is at
// most 48).
// Observation (100 floats, egocentric, not rotated): a 7×7 window centred on the agent, first its
// wall plane (49 values, 1 = wall or outside the grid) then its goal plane (49 values, 1 = goal),
// both row-major from the top-left; then the goal's offset from the agent, (dcol, drow) / 10.
// getState()/setState(): [levelSeed, row, col] (grid coordinates; rooms sit at odd ones).

import { Rng } from '../rng';
import { BaseEnv, box, type BaseEnvOptions } from './base';
import type { DiscreteSpace } from './types';

export const MAZE_ROOMS = 5;
export const MAZE_SIZE = 2 * MAZE_ROOMS + 1;
const EXTRA_OPENINGS = 2;
const VIEW_RADIUS = 3;
const VIEW = 2 * VIEW_RADIUS + 1;
export const HELDOUT_LEVEL_START = 1_000_000;
export const DEFAULT_TRAIN_LEVELS = 200;
export const DEFAULT_HELDOUT_LEVELS = 100;
const MAX_LEVEL_SEED = 0xffffffff;

// Row/column steps for actions 0 up, 1 right, 2 down, 3 left.
const DR = [-1, 0, 1, 0] as const;
const DC = [0, 1, 0, -1] as const;

export function trainingLevelSeeds(n = DEFAULT_TRAIN_LEVELS): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function heldoutLevelSeeds(n = DEFAULT_HELDOUT_LEVELS): number[] {
  return Array.from({ length: n }, (_, i) => HELDOUT_LEVEL_START + i);
}

/** One generated level: the grid (1 = wall), and the start and goal squares. */
export interface MazeLevel {
  seed: number;
  size: number;
  walls: Uint8Array;
  start: [number, number];
  goal: [number, number];
}

/** Builds levels into reused buffers so resets allocate nothing. */
class MazeGenerator {
  readonly walls = new Uint8Array(MAZE_SIZE * MAZE_SIZE);
  startR = 1;
  startC = 1;
  goalR = 1;
  goalC = 1;
  private readonly rng = new Rng(0);
  private readonly visited = new Uint8Array(MAZE_ROOMS * MAZE_ROOMS);
  private readonly stack = new Int32Array(MAZE_ROOMS * MAZE_ROOMS);
  private readonly choices = new Int32Array(4);

  build(levelSeed: number): void {
    const rng = this.rng;
    rng.seed(levelSeed);
    const n = MAZE_ROOMS;
    const S = MAZE_SIZE;
    const walls = this.walls;
    walls.fill(1);
    this.visited.fill(0);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) walls[(2 * r + 1) * S + 2 * c + 1] = 0;

    // Randomised depth-first search over rooms: a spanning tree, so every room is reachable.
    let sp = 0;
    const first = rng.int(n * n);
    this.visited[first] = 1;
    this.stack[sp++] = first;
    while (sp > 0) {
      const room = this.stack[sp - 1]!;
      const r = (room / n) | 0;
      const c = room % n;
      let k = 0;
      for (let d = 0; d < 4; d++) {
        const nr = r + DR[d]!;
        const nc = c + DC[d]!;
        if (nr >= 0 && nr < n && nc >= 0 && nc < n && !this.visited[nr * n + nc]) this.choices[k++] = d;
      }
      if (k === 0) {
        sp--;
        continue;
      }
      const d = this.choices[rng.int(k)]!;
      const nr = r + DR[d]!;
      const nc = c + DC[d]!;
      walls[(2 * r + 1 + DR[d]!) * S + 2 * c + 1 + DC[d]!] = 0;
      this.visited[nr * n + nc] = 1;
      this.stack[sp++] = nr * n + nc;
    }

    // A few extra openings between adjacent rooms make some levels have loops.
    for (let i = 0; i < EXTRA_OPENINGS; i++) {
      const r = rng.int(n);
      const c = rng.int(n);
      const d = rng.int(2) === 0 ? 1 : 2; // right or down neighbour
      const nr = r + DR[d]!;
      const nc = c + DC[d]!;
      if (nr < n && nc < n) walls[(2 * r + 1 + DR[d]!) * S + 2 * c + 1 + DC[d]!] = 0;
    }

    const startRoom = rng.int(n * n);
    let goalRoom = rng.int(n * n - 1);
    if (goalRoom >= startRoom) goalRoom++;
    this.startR = 2 * ((startRoom / n) | 0) + 1;
    this.startC = 2 * (startRoom % n) + 1;
    this.goalR = 2 * ((goalRoom / n) | 0) + 1;
    this.goalC = 2 * (goalRoom % n) + 1;
  }
}

/** Generates one level (a fresh copy: for tests, tools and level previews). */
export function generateMazeLevel(levelSeed: number): MazeLevel {
  checkLevelSeed(levelSeed);
  const g = new MazeGenerator();
  g.build(levelSeed);
  return {
    seed: levelSeed,
    size: MAZE_SIZE,
    walls: g.walls.slice(),
    start: [g.startR, g.startC],
    goal: [g.goalR, g.goalC],
  };
}

function checkLevelSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_LEVEL_SEED) {
    throw new Error(`a ProcMaze level seed must be an integer in 0..${MAX_LEVEL_SEED}, got ${String(seed)}`);
  }
}

export interface ProcMazeOptions extends BaseEnvOptions {
  /** Which level set to play: the training levels (default) or the held-out ones. */
  levels?: 'train' | 'heldout';
  numTrainLevels?: number;
  numHeldoutLevels?: number;
  /** An explicit list of level seeds (overrides `levels`). */
  levelSeeds?: readonly number[];
}

export class ProcMazeEnv extends BaseEnv {
  readonly id: string;
  readonly observationSpace = box(
    [...new Array<number>(2 * VIEW * VIEW).fill(0), -1, -1],
    [...new Array<number>(2 * VIEW * VIEW).fill(1), 1, 1],
  );
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 4 };
  readonly rewardThreshold: number | undefined = undefined;
  readonly obsDim = 2 * VIEW * VIEW + 2;
  readonly stateLabels = ['levelSeed', 'row', 'col'] as const;
  /** The level seeds this env draws from. */
  readonly levelSeeds: readonly number[];

  private readonly gen = new MazeGenerator();
  private levelSeed = -1;
  private row = 1;
  private col = 1;

  constructor(options: ProcMazeOptions = {}) {
    super(120, options);
    const seeds =
      options.levelSeeds ??
      (options.levels === 'heldout'
        ? heldoutLevelSeeds(options.numHeldoutLevels ?? DEFAULT_HELDOUT_LEVELS)
        : trainingLevelSeeds(options.numTrainLevels ?? DEFAULT_TRAIN_LEVELS));
    if (seeds.length === 0) throw new Error('ProcMaze needs at least one level seed');
    for (const s of seeds) checkLevelSeed(s);
    this.levelSeeds = [...seeds];
    this.id = options.levels === 'heldout' && !options.levelSeeds ? 'ProcMazeHeldout-v0' : 'ProcMaze-v0';
  }

  /** The level being played (its seed), or -1 before the first reset. */
  get currentLevelSeed(): number {
    return this.levelSeed;
  }

  protected resetPhysics(rng: Rng): void {
    this.loadLevel(this.levelSeeds[rng.int(this.levelSeeds.length)]!);
    this.row = this.gen.startR;
    this.col = this.gen.startC;
  }

  private loadLevel(seed: number): void {
    if (seed !== this.levelSeed) {
      this.gen.build(seed);
      this.levelSeed = seed;
    }
  }

  protected advance(actions: ArrayLike<number>, offset: number): void {
    const a = actions[offset]!;
    const nr = this.row + DR[a]!;
    const nc = this.col + DC[a]!;
    // The border is all wall, so a move never leaves the grid.
    if (this.gen.walls[nr * MAZE_SIZE + nc] === 0) {
      this.row = nr;
      this.col = nc;
    }
    const reached = this.row === this.gen.goalR && this.col === this.gen.goalC;
    this.lastTerminated = reached;
    this.lastReward = reached ? 1 - (0.9 * (this.elapsedSteps + 1)) / this.maxEpisodeSteps : 0;
  }

  writeObs(out: Float32Array, offset: number): void {
    const walls = this.gen.walls;
    const plane = VIEW * VIEW;
    let i = offset;
    for (let dr = -VIEW_RADIUS; dr <= VIEW_RADIUS; dr++) {
      const r = this.row + dr;
      for (let dc = -VIEW_RADIUS; dc <= VIEW_RADIUS; dc++, i++) {
        const c = this.col + dc;
        const inside = r >= 0 && r < MAZE_SIZE && c >= 0 && c < MAZE_SIZE;
        out[i] = inside ? walls[r * MAZE_SIZE + c]! : 1;
        out[i + plane] = inside && r === this.gen.goalR && c === this.gen.goalC ? 1 : 0;
      }
    }
    out[offset + 2 * plane] = (this.gen.goalC - this.col) / (MAZE_SIZE - 1);
    out[offset + 2 * plane + 1] = (this.gen.goalR - this.row) / (MAZE_SIZE - 1);
  }

  getState(): number[] {
    return [this.levelSeed, this.row, this.col];
  }

  protected applyState(s: readonly number[]): void {
    const [seed, row, col] = s as [number, number, number];
    checkLevelSeed(seed);
    const previous = this.levelSeed;
    this.loadLevel(seed);
    if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row >= MAZE_SIZE || col >= MAZE_SIZE || this.gen.walls[row * MAZE_SIZE + col] !== 0) {
      if (previous >= 0) this.loadLevel(previous);
      throw new Error(`ProcMaze setState: [${row}, ${col}] is not an open square of level ${seed}; rooms are at odd (row, col) in 1..${MAZE_SIZE - 2}`);
    }
    this.row = row;
    this.col = col;
  }
}

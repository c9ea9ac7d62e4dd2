// Fault injection on real training runs (issue 8): `npm run bench:faults [-- --kills N --seed S]`.
//
//  - kills: the built-in PPO (CartPole-v1), DQN (CartPole-v1), SAC (Pendulum-v1) and the Python
//    client's gridworld example are each SIGKILLed (the trainer's whole process group) at
//    seeded random moments, N kills in all spread over the four (some during start-up, most
//    mid-training, some while a checkpoint is being written), each resumed until the run
//    completes. Along the way each segment is sent a valid hyperparameter change drawn at random
//    within the space, and an out-of-bounds one that must be refused.
//  - checkpoints: the newest checkpoint truncated (PPO, Python) or corrupted by one byte (DQN,
//    Python) after a kill; the resume must detect it by checksum, say so in a warning, and go
//    back to the previous checkpoint.
//  - host reload: the Node process hosting the RunManager (bench/faults-host.ts) is SIGKILLed
//    mid-run (PPO, Python); the trainer must notice and exit on its own, the run must list as
//    `interrupted`, and a new host resumes it.
//  - full disk: a run on a small tmpfs that fills up (PPO, Python) must end with "the disk is
//    full ... free space in X and resume", leave its files readable, and resume once space is back.
//
// After every run: metric lines lost and hyperparameter values out of bounds are counted (the
// definitions are in bench/faults-check.ts). Prints a table and the totals; exits 1 when any
// line is lost, any value is out of bounds, fewer kills landed than asked, or a case failed.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunManager } from '../src/runs/manager';
import type { Run, RunExit } from '../src/runs/run';
import { isPidAlive } from '../src/runs/store';
import type { MetricPoint, RunSpec } from '../src/runs/types';
import type { HyperparamSpec, HyperparamValues } from '../src/shared/hyperparams';
import { Rng } from '../src/rl/rng';
import {
  corruptCheckpoint,
  countLost,
  countOutOfBounds,
  fillDisk,
  MetricsTap,
  mountSmallDisk,
  truncateCheckpoint,
  unmount,
} from './faults-check';

// ---- options ----------------------------------------------------------------------------------

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} needs a non-negative integer, got ${JSON.stringify(process.argv[i + 1])}\n`);
    process.exit(2);
  }
  return v;
}
const KILLS = option('kills', 24);
const SEED = option('seed', 1);
const KEEP = process.argv.includes('--keep');
const rng = new Rng(SEED);
const rand = (): number => rng.random();

// ---- the trainers -------------------------------------------------------------------------------

const PYTHON_EXAMPLE = join(__dirname, '..', 'clients', 'python', 'examples', 'gridworld_q_learning.py');

type TrainerName = 'ppo' | 'dqn' | 'sac' | 'python';
const TRAINERS: TrainerName[] = ['ppo', 'dqn', 'sac', 'python'];

// Small budgets: a few seconds of training each on one core, several checkpoints per run.
function specFor(t: TrainerName, over: Partial<RunSpec> = {}): RunSpec {
  const builtin = { backend: 'wasm', trainer: { kind: 'builtin' as const } };
  const base: Record<TrainerName, RunSpec> = {
    ppo: {
      env: 'CartPole-v1', algo: 'ppo', totalSteps: 4096, seed: 11, interval: 512, checkpointEvery: 512, ...builtin,
      values: { n_envs: 4, n_steps: 32, batch_size: 64, n_epochs: 2, lr_schedule: 'linear', clip_range_schedule: 'constant', net_arch: '32-32' },
    },
    dqn: {
      env: 'CartPole-v1', algo: 'dqn', totalSteps: 3000, seed: 12, interval: 500, checkpointEvery: 500, ...builtin,
      values: { buffer_size: 5000, learning_starts: 300, batch_size: 32, train_freq: 4, gradient_steps: 1, target_update_interval: 250, net_arch: '32-32' },
    },
    sac: {
      env: 'Pendulum-v1', algo: 'sac', totalSteps: 1200, seed: 13, interval: 400, checkpointEvery: 200, ...builtin,
      values: { buffer_size: 5000, learning_starts: 200, batch_size: 64, net_arch: '32-32', train_freq: 2, gradient_steps: 1 },
    },
    python: {
      env: 'GridWorld-5x5', algo: 'q-learning', totalSteps: 150_000, seed: 14, interval: 5000, checkpointEvery: 5000, values: { epsilon: 0.2 },
      trainer: { kind: 'command', command: `python3 ${JSON.stringify(PYTHON_EXAMPLE)}` },
    },
  };
  return { ...base[t], ...over };
}

// Parameters the random changes touch (mutable, harmless to the small budgets).
const TUNED: Record<TrainerName, string[]> = {
  ppo: ['learning_rate', 'gamma', 'ent_coef', 'clip_range'],
  dqn: ['learning_rate', 'gamma', 'tau'],
  sac: ['learning_rate', 'gamma', 'tau'],
  python: ['learning_rate', 'gamma', 'epsilon'],
};

function manager(root: string): RunManager {
  return new RunManager({ root, timeouts: { helloMs: 90_000, stopMs: 30_000, flushMs: 500, batchMs: 50 } });
}

// ---- results --------------------------------------------------------------------------------------

interface Row {
  name: string;
  kills: number;
  resumed: number;
  segments: number;
  expected: number;
  lost: number;
  untapped: number;
  checked: number;
  outOfBounds: number;
  applied: number;
  refused: number;
  seconds: number;
  ok: boolean;
  note: string;
}
const rows: Row[] = [];

function row(name: string): Row {
  const r: Row = { name, kills: 0, resumed: 0, segments: 0, expected: 0, lost: 0, untapped: 0, checked: 0, outOfBounds: 0, applied: 0, refused: 0, seconds: 0, ok: true, note: '' };
  rows.push(r);
  return r;
}

function fail(r: Row, why: string): void {
  r.ok = false;
  r.note = r.note ? `${r.note}; ${why}` : why;
}

async function measure(r: Row, m: RunManager, id: string, tap: MetricsTap): Promise<void> {
  const loss = await countLost(m.store, id, tap);
  const bounds = await countOutOfBounds(m.store, id);
  const rec = m.store.read(id);
  r.segments = rec.segments.length;
  r.expected = loss.expected;
  r.lost = loss.lost;
  r.untapped = loss.untapped;
  r.checked = bounds.checked;
  r.outOfBounds = bounds.outOfBounds;
  if (loss.lost) fail(r, `lost e.g. ${loss.examples.join(', ')}`);
  if (bounds.outOfBounds) fail(r, `out of bounds: ${bounds.examples.join('; ')}`);
  if (loss.outOfOrder) fail(r, `${loss.outOfOrder} lines read back out of step order`);
  const bad = loss.problems.filter((p) => !/truncated last line|not valid JSON/.test(p));
  if (bad.length) fail(r, `reader problems: ${bad.slice(0, 2).join('; ')}`);
  if (rec.status !== 'completed') fail(r, `ended ${rec.status}: ${rec.message ?? ''}`);
}

// ---- hyperparameter changes -------------------------------------------------------------------------

function randomValue(s: HyperparamSpec): number {
  const lo = s.min!;
  const hi = s.max!;
  const v = s.scale === 'log' ? Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo))) : lo + rand() * (hi - lo);
  return s.type === 'int' ? Math.round(v) : Number(v.toPrecision(6));
}

/** One valid random change within the space (kept mild for learning: the middle of the range for
 *  gamma-like parameters does not matter here), and one out-of-bounds change that must be refused. */
function poke(run: Run, t: TrainerName, r: Row): void {
  const space = run.space;
  const name = TUNED[t][Math.floor(rand() * TUNED[t].length)]!;
  const s = space.find((x) => x.name === name);
  if (!s || s.min === undefined || s.max === undefined) return;
  try {
    run.setHyperparams({ [name]: randomValue(s) }, 'user', 'fault bench: random change within bounds');
    r.applied++;
  } catch (e) {
    fail(r, `a change within bounds was refused: ${(e as Error).message}`);
  }
  const outside: HyperparamValues = { [name]: rand() < 0.5 ? s.max * 10 + 1 : s.min - Math.abs(s.min) - 1 };
  try {
    run.setHyperparams(outside, 'user', 'fault bench: out of bounds');
    fail(r, `an out-of-bounds change was accepted: ${JSON.stringify(outside)}`);
  } catch {
    r.refused++;
  }
}

// ---- waiting ------------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** Resolves once the run's step reaches `step` (true) or it exits first (false). */
function reachStep(run: Run, step: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (run.step >= step) return resolve(true);
    const subs = [
      run.on('metrics', () => run.step >= step && (subs.forEach((s) => s.dispose()), resolve(true))),
      run.on('exit', () => (subs.forEach((s) => s.dispose()), resolve(false))),
    ];
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isPidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

// ---- cases -----------------------------------------------------------------------------------------

/**
 * Kills one trainer `kills` times at random moments, resuming after each, then lets it finish.
 * A kill is counted only when it landed (the trainer was alive and died of it).
 */
async function killCase(root: string, t: TrainerName, kills: number): Promise<void> {
  const r = row(`kill ${t} ×${kills}`);
  const t0 = performance.now();
  const m = manager(root);
  const tap = new MetricsTap();
  const spec = specFor(t);
  let total = spec.totalSteps;
  let run = m.start(spec);
  tap.follow(run);
  const id = run.id;
  let extended = 0;
  const moments = { 'start-up': 0, training: 0, checkpointing: 0 };
  for (let attempts = 0; r.kills < kills && attempts < kills * 3; attempts++) {
    const exit = run.finished;
    const mode = rand();
    let alive = true;
    const moment: keyof typeof moments = mode < 0.15 ? 'start-up' : mode > 0.85 && spec.checkpointEvery > 0 ? 'checkpointing' : 'training';
    if (mode < 0.15) {
      // During start-up: before or just after hello.
      await sleep(200 + rand() * 2500);
    } else {
      const hello = await Promise.race([run.next('hello'), exit.then(() => undefined)]);
      if (hello) {
        poke(run, t, r);
        const target = hello.step + Math.ceil(rand() * 0.5 * (total - hello.step));
        alive = await reachStep(run, target);
        if (alive && mode > 0.85 && spec.checkpointEvery > 0) {
          // Right after a checkpoint was asked for: the kill lands while it is being written.
          void run.checkpoint().catch(() => undefined);
          await sleep(rand() * 30);
        } else if (alive) await sleep(rand() * (t === 'python' ? 30 : 200));
      } else alive = false;
    }
    const pid = run.pid;
    if (alive && pid !== undefined) killGroup(pid);
    const e: RunExit = await exit;
    if (e.status === 'completed') {
      // It finished before the kill landed: continue it with a larger budget (a resume of a
      // completed run), so every kill asked for lands mid-training.
      total += Math.ceil(spec.totalSteps / 2);
      extended++;
      run = m.resume(id, { totalSteps: total });
      tap.follow(run);
      continue;
    }
    if (e.signal !== 'SIGKILL') fail(r, `a kill ended the run with ${e.status}/${e.signal}: ${e.message}`);
    r.kills++;
    moments[moment]++;
    run = m.resume(id);
    r.resumed++;
    tap.follow(run);
  }
  const end = await run.finished;
  if (end.status !== 'completed') fail(r, `the last segment ended ${end.status}: ${end.message}`);
  if (r.kills < kills) fail(r, `${kills - r.kills} kill(s) did not land`);
  r.note = Object.entries(moments).map(([k, n]) => `${k} ${n}`).join(', ') + (extended ? `; budget extended ${extended}× (the run finished before a kill)` : '');
  await measure(r, m, id, tap);
  r.seconds = (performance.now() - t0) / 1000;
}

/** Kill after two checkpoints, damage the newest, resume: it must fall back to the previous one. */
async function checkpointCase(root: string, t: TrainerName, damage: 'truncated' | 'corrupted'): Promise<void> {
  const r = row(`checkpoint ${damage} (${t})`);
  const t0 = performance.now();
  const m = manager(root);
  const tap = new MetricsTap();
  const spec = specFor(t);
  const run = m.start(spec);
  tap.follow(run);
  let seen = 0;
  await new Promise<void>((resolve) => {
    run.on('checkpoint', () => ++seen === 2 && resolve());
    void run.finished.then(() => resolve());
  });
  if (run.pid !== undefined) killGroup(run.pid);
  await run.finished;
  r.kills++;
  const rec = m.store.read(run.id);
  const newest = rec.checkpoints.at(-1)!;
  const previous = rec.checkpoints.at(-2)!;
  const file = (damage === 'truncated' ? truncateCheckpoint : corruptCheckpoint)(m.store.absoluteCheckpointPath(run.id, newest.path));
  const resumed = m.resume(run.id);
  r.resumed++;
  tap.follow(resumed);
  const warnings: string[] = [];
  resumed.on('warning', (w) => warnings.push(w.message));
  const hello = await resumed.next('hello');
  if (hello.step !== previous.step) fail(r, `resumed at step ${hello.step}, not at the previous checkpoint's ${previous.step}`);
  const said = warnings.find((w) => w.includes(`checkpoint at step ${newest.step} cannot be used`));
  if (!said) fail(r, `no warning about the damaged checkpoint (warnings: ${warnings.join(' | ') || 'none'})`);
  else if (!new RegExp(damage === 'truncated' ? 'truncated|corrupted' : 'corrupted').test(said)) fail(r, `the warning does not say what is wrong: ${said}`);
  const end = await resumed.finished;
  if (end.status !== 'completed') fail(r, `ended ${end.status}: ${end.message}`);
  r.note = `${file.split('/').slice(-2).join('/')} ${damage}; resumed at ${hello.step} instead of ${newest.step}`;
  await measure(r, m, run.id, tap);
  r.seconds = (performance.now() - t0) / 1000;
}

/** The process hosting the RunManager is killed mid-run; a new host resumes the run. */
async function hostReloadCase(root: string, t: TrainerName): Promise<void> {
  const r = row(`host reload (${t})`);
  const t0 = performance.now();
  const spec = specFor(t);
  const tap = new MetricsTap();
  const seg = tap.segment();
  const host = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'faults-host.ts'), root, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  host.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  let started: { runId: string; trainerPid: number } | undefined;
  let checkpoints = 0;
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: host.stdout! }).on('line', (l) => {
      const msg = JSON.parse(l) as { type: string; runId?: string; trainerPid?: number; points?: MetricPoint[] };
      if (msg.type === 'started') started = { runId: msg.runId!, trainerPid: msg.trainerPid! };
      if (msg.type === 'metrics') seg.push(...msg.points!);
      if (msg.type === 'checkpoint' && ++checkpoints === 1) setTimeout(resolve, rand() * (t === 'python' ? 300 : 1500));
      if (msg.type === 'exit') reject(new Error(`the run ended before the host was killed: ${l}`));
    });
    host.once('exit', () => reject(new Error(`the host exited early: ${stderr}`)));
  });
  try {
    await ready;
  } catch (e) {
    fail(r, (e as Error).message);
    return;
  }
  const hostExit = new Promise((res) => host.once('exit', res));
  host.kill('SIGKILL');
  await hostExit;
  const { runId, trainerPid } = started!;
  const m = manager(root);
  // The trainer sees its stdin close (and its parent change) and stops on its own.
  const tGone = performance.now();
  if (!(await goneWithin(trainerPid, 60_000))) {
    fail(r, `the trainer (pid ${trainerPid}) was still running 60 s after its host died`);
    killGroup(trainerPid);
  }
  r.note = `trainer exited ${((performance.now() - tGone) / 1000).toFixed(1)} s after the host died`;
  const listed = m.store.list().runs.find((x) => x.id === runId);
  if (listed?.status !== 'interrupted') fail(r, `listed as ${listed?.status}, not interrupted`);
  const resumed = m.resume(runId);
  r.resumed++;
  tap.follow(resumed);
  const end = await resumed.finished;
  if (end.status !== 'completed') fail(r, `ended ${end.status}: ${end.message}`);
  await measure(r, m, runId, tap);
  r.seconds = (performance.now() - t0) / 1000;
}

/** A run on a small disk that fills up: a clear message, files intact, resume once space is back. */
async function fullDiskCase(base: string, t: TrainerName, leaveKiB: number): Promise<void> {
  const r = row(`full disk (${t})`);
  const t0 = performance.now();
  const disk = join(base, `disk-${t}`);
  const why = mountSmallDisk(disk, 4096);
  if (why) {
    r.note = `SKIPPED: ${why}`;
    return;
  }
  try {
    const filler = fillDisk(disk, leaveKiB);
    const m = manager(join(disk, 'runs'));
    const tap = new MetricsTap();
    const run = m.start(specFor(t, t === 'ppo' ? { checkpointEvery: 256, totalSteps: 12_288 } : { totalSteps: 200_000, checkpointEvery: 5000 }));
    tap.follow(run);
    const end = await run.finished;
    if (end.status !== 'crashed' || !/the disk is full/.test(end.message) || !/Free space in /.test(end.message)) fail(r, `did not end on a full disk in words: ${end.status}: ${end.message}`);
    r.note = end.message.split(run.paths.dir).join('<run>').replace(/\. Resume from .*/, '').slice(0, 140);
    const rec = m.store.read(run.id); // run.json readable and saying how it ended
    if (rec.status !== 'crashed') fail(r, `run.json says ${rec.status}`);
    rmSync(filler); // space is back
    const resumed = m.resume(run.id);
    r.resumed++;
    tap.follow(resumed);
    const end2 = await resumed.finished;
    if (end2.status !== 'completed') fail(r, `the resume ended ${end2.status}: ${end2.message}`);
    await measure(r, m, run.id, tap);
  } finally {
    unmount(disk);
  }
  r.seconds = (performance.now() - t0) / 1000;
}

// ---- main ---------------------------------------------------------------------------------------------

async function pool(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let task = queue.shift(); task; task = queue.shift()) await task();
    }),
  );
}

async function main(): Promise<number> {
  const base = mkdtempSync(join(tmpdir(), 'hp-faults-'));
  const root = join(base, 'runs');
  const t0 = performance.now();
  const perTrainer = TRAINERS.map((_, i) => Math.floor(KILLS / TRAINERS.length) + (i < KILLS % TRAINERS.length ? 1 : 0));
  const guard = (name: string, f: () => Promise<void>) => async (): Promise<void> => {
    try {
      await f();
    } catch (e) {
      fail(row(name), `threw: ${(e as Error).stack ?? String(e)}`);
    }
  };
  process.stdout.write(`fault injection: ${KILLS} kills over ${TRAINERS.join(', ')}, seed ${SEED}, runs in ${base}\n`);
  await pool(
    [
      ...TRAINERS.map((t, i) => guard(`kill ${t}`, () => killCase(root, t, perTrainer[i]!))),
      guard('checkpoint ppo', () => checkpointCase(root, 'ppo', 'truncated')),
      guard('checkpoint dqn', () => checkpointCase(root, 'dqn', 'corrupted')),
      guard('checkpoint python', () => checkpointCase(root, 'python', 'truncated')),
      guard('checkpoint python', () => checkpointCase(root, 'python', 'corrupted')),
      guard('host reload ppo', () => hostReloadCase(root, 'ppo')),
      guard('host reload python', () => hostReloadCase(root, 'python')),
      guard('full disk python', () => fullDiskCase(base, 'python', 120)),
      guard('full disk ppo', () => fullDiskCase(base, 'ppo', 250)),
    ],
    2,
  );
  const wall = (performance.now() - t0) / 1000;

  const head = ['case', 'kills', 'resumed', 'segments', 'lines', 'lost', 'untapped', 'values', 'out of bounds', 'sets ok/refused', 's', 'ok', 'note'];
  const body = rows.map((x) => [x.name, x.kills, x.resumed, x.segments, x.expected, x.lost, x.untapped, x.checked, x.outOfBounds, `${x.applied}/${x.refused}`, x.seconds.toFixed(1), x.ok ? 'yes' : 'NO', x.note].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.filter((b) => i < 12).map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write('\n' + line(head) + '\n' + body.map(line).join('\n') + '\n');
  const sum = (k: keyof Row): number => rows.reduce((a, x) => a + (x[k] as number), 0);
  const kills = sum('kills');
  const lost = sum('lost');
  const oob = sum('outOfBounds');
  const failed = rows.filter((x) => !x.ok);
  process.stdout.write(
    `\ntotals: kills ${kills} (asked ${KILLS} in the kill cases), runs resumed ${sum('resumed')}, metric lines lost ${lost} of ${sum('expected')}, ` +
      `values out of bounds ${oob} of ${sum('checked')} checked, out-of-bounds changes refused ${sum('refused')}, cases failed ${failed.length}, wall ${wall.toFixed(1)} s\n`,
  );
  const killLanded = rows.filter((x) => x.name.startsWith('kill ')).reduce((a, x) => a + x.kills, 0);
  const ok = lost === 0 && oob === 0 && failed.length === 0 && killLanded >= KILLS;
  process.stdout.write(ok ? 'goals met: 0 lost, 0 out of bounds\n' : `GOALS MISSED${killLanded < KILLS ? ` (only ${killLanded} of ${KILLS} kills landed)` : ''}\n`);
  if (!KEEP) rmSync(base, { recursive: true, force: true });
  return ok ? 0 : 1;
}

void main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);

// The built-in trainer process (src/rl/trainer/main.ts, run from source through tsx) under the
// RunManager with real PPO on CartPole-v1: protocol messages, a hyperparameter change that
// really takes effect, pause, checkpoint folders, SIGKILL and resume from the last checkpoint,
// and a fatal error reported in words. Small step budgets keep it fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunManager } from '../../src/runs/manager';
import { streamMetrics } from '../../src/runs/metrics-reader';
import type { RunSpec } from '../../src/runs/types';
import { tempRoot } from '../runs/helpers';

// Small, fast PPO: 4 envs × 64 steps per iteration, 2 epochs.
function spec(over: Partial<RunSpec> = {}): RunSpec {
  return {
    env: 'CartPole-v1',
    algo: 'ppo',
    totalSteps: 4096,
    seed: 7,
    values: { n_envs: 4, n_steps: 64, batch_size: 128, n_epochs: 2, lr_schedule: 'constant' },
    interval: 1024,
    checkpointEvery: 2048,
    backend: 'wasm',
    trainer: { kind: 'builtin' },
    ...over,
  };
}

function manager(root: string): RunManager {
  return new RunManager({ root, timeouts: { helloMs: 60_000, stopMs: 20_000, flushMs: 200, batchMs: 50 } });
}

test('built-in PPO trainer: hello, metrics, intervals, a set that takes effect, pause, checkpoints, done', { timeout: 120_000 }, async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(spec());
  const warnings: string[] = [];
  run.on('warning', (w) => warnings.push(w.message));
  let spawnReason = '';
  run.on('spawn', (e) => (spawnReason = e.reason));
  const hello = await run.next('hello');
  assert.match(spawnReason, /system node on PATH|editor's runtime|configured/);
  assert.equal(hello.trainer, 'hyperprompt-tfjs');
  assert.equal(hello.backend, 'wasm');
  assert.equal(hello.values.n_envs, 4);
  assert.ok(hello.space.some((s) => s.name === 'learning_rate' && s.mutable));
  await run.next('interval');
  const confirmed = run.next('state');
  run.pause();
  assert.equal(run.status, 'paused');
  // Wait for the trainer's "paused" reply, not a fixed sleep: on a loaded machine an
  // iteration can outlast the sleep and the step would still move.
  assert.equal((await confirmed).state, 'paused');
  const pausedAt = run.step;
  const p = run.setHyperparams({ learning_rate: 0.0123 }, 'user', 'test');
  const applied = await run.next('applied');
  assert.equal(applied.version, p.version);
  assert.equal(applied.step, pausedAt, 'applied while paused, at the paused step');
  assert.equal(run.step, pausedAt, 'no steps while paused');
  run.resume();
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', exit.message);
  assert.ok(exit.step >= 4096);
  assert.deepEqual(warnings, []);
  // The new rate is the one the updates after `applied.step` used.
  const lrAfter: number[] = [];
  await streamMetrics(m.store, run.id, (pt) => {
    const lr = pt.scalars['charts/learning_rate'];
    if (lr !== undefined && pt.step > applied.step) lrAfter.push(lr);
  });
  assert.ok(lrAfter.length > 0 && lrAfter.every((x) => Math.abs(x - 0.0123) < 1e-9), `learning rates after the change: ${lrAfter}`);
  const rec = m.store.read(run.id);
  assert.deepEqual(rec.checkpoints.map((c) => c.step), [2048, 4096]);
  for (const c of rec.checkpoints) assert.ok(existsSync(join(run.paths.dir, c.path, 'checkpoint.json')), c.path);
  assert.equal(rec.backend, 'wasm');
});

test('built-in trainer killed with SIGKILL resumes from its last checkpoint with the latest config version', { timeout: 120_000 }, async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(spec({ totalSteps: 6144, checkpointEvery: 1024 }));
  await run.next('hello');
  run.setHyperparams({ ent_coef: 0.02 }, 'user', 'explore');
  await run.next('applied');
  await new Promise<void>((resolve) => run.on('checkpoint', (c) => c.step >= 2048 && resolve()));
  process.kill(run.pid!, 'SIGKILL');
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  const ck = m.store.lastCheckpoint(m.store.read(run.id))!;
  const resumed = m.resume(run.id);
  const hello = await resumed.next('hello');
  assert.equal(hello.step, ck.step);
  assert.equal(hello.values.ent_coef, 0.02);
  const exit2 = await resumed.finished;
  assert.equal(exit2.status, 'completed', exit2.message);
  assert.ok(exit2.step >= 6144);
  const rec = m.store.read(run.id);
  assert.equal(rec.segments.length, 2);
  assert.deepEqual(m.store.readConfigs(run.id).records.map((c) => c.author), ['initial', 'user']);
});

test('a fatal trainer error (an unknown environment) ends the run as crashed with the reason', { timeout: 60_000 }, async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(spec({ env: 'NoSuchEnv-v9' }));
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.match(exit.message, /the trainer reported a fatal error: .*unknown environment "NoSuchEnv-v9"; valid ids: CartPole-v1/);
});

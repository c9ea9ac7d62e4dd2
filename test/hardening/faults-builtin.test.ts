// The built-in DQN and SAC trainers (PPO's kill and resume is in test/trainer/trainer.test.ts)
// killed with SIGKILL after a checkpoint, after a hyperparameter change, and resumed: the
// resumed trainer starts at the last checkpoint with the latest version, the run completes, no
// metric line is lost and no value is out of bounds. Tiny budgets on the wasm backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempRoot } from '../runs/helpers';
import { countLost, countOutOfBounds, MetricsTap } from '../../bench/faults-check';
import { RunManager } from '../../src/runs/manager';
import type { Run } from '../../src/runs/run';
import type { RunSpec } from '../../src/runs/types';

function killGroup(run: Run): boolean {
  try {
    process.kill(-run.pid!, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

const BUILTIN: Record<'dqn' | 'sac', RunSpec> = {
  dqn: {
    env: 'CartPole-v1', algo: 'dqn', totalSteps: 600, seed: 3, interval: 300, checkpointEvery: 150, backend: 'wasm', trainer: { kind: 'builtin' },
    values: { buffer_size: 2000, learning_starts: 150, batch_size: 16, train_freq: 4, gradient_steps: 1, target_update_interval: 100, net_arch: '32-32' },
  },
  sac: {
    env: 'Pendulum-v1', algo: 'sac', totalSteps: 400, seed: 3, interval: 200, checkpointEvery: 100, backend: 'wasm', trainer: { kind: 'builtin' },
    values: { buffer_size: 2000, learning_starts: 100, batch_size: 16, train_freq: 2, gradient_steps: 1, net_arch: '32-32' },
  },
};

for (const algo of ['dqn', 'sac'] as const) {
  test(`built-in ${algo.toUpperCase()} killed after a checkpoint resumes from it: 0 lost, 0 out of bounds`, { timeout: 120_000 }, async () => {
    const root = tempRoot();
    const m = new RunManager({ root, timeouts: { helloMs: 90_000, stopMs: 30_000, flushMs: 200, batchMs: 50 } });
    const tap = new MetricsTap();
    const run = m.start(BUILTIN[algo]);
    tap.follow(run);
    await run.next('hello');
    run.setHyperparams({ learning_rate: 5e-4 }, 'user', 'a change before the kill');
    await run.next('applied');
    const ck = await run.next('checkpoint');
    assert.ok(killGroup(run));
    const exit = await run.finished;
    assert.equal(exit.status, 'crashed', exit.message);
    const resumed = m.resume(run.id);
    tap.follow(resumed);
    const hello = await resumed.next('hello');
    assert.ok(hello.step >= ck.step);
    assert.equal(hello.step, m.store.lastCheckpoint(m.store.read(run.id))!.step);
    assert.equal(hello.values.learning_rate, 5e-4, 'the latest version is what the resumed trainer uses');
    const end = await resumed.finished;
    assert.equal(end.status, 'completed', end.message);
    const loss = await countLost(m.store, run.id, tap);
    assert.equal(loss.lost, 0, loss.examples.join(', '));
    assert.ok(loss.expected > 0);
    assert.equal((await countOutOfBounds(m.store, run.id)).outOfBounds, 0);
  });
}

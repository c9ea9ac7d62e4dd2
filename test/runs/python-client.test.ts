// The pure-Python example trainer (tabular Q-learning on a gridworld, using
// clients/python/hyperprompt_client.py) end to end under the RunManager: learns, takes a
// hyperparameter change, pauses, stops with a checkpoint and resumes from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { manager, tempRoot } from './helpers';
import type { RunSpec } from '../../src/runs/types';

const EXAMPLE = join(__dirname, '..', '..', 'clients', 'python', 'examples', 'gridworld_q_learning.py');

function spec(totalSteps: number): RunSpec {
  return {
    env: 'GridWorld-5x5',
    algo: 'q-learning',
    totalSteps,
    seed: 3,
    values: { epsilon: 0.1 },
    interval: 1000,
    checkpointEvery: 2000,
    trainer: { kind: 'command', command: `python3 ${JSON.stringify(EXAMPLE)}` },
  };
}

test('the Python gridworld trainer learns under the RunManager and obeys set, pause, stop and resume', async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(spec(400_000));
  const warnings: string[] = [];
  run.on('warning', (w) => warnings.push(w.message));
  const hello = await run.next('hello');
  assert.equal(hello.trainer, 'gridworld-q-learning');
  assert.deepEqual(hello.space.map((s) => s.name), ['learning_rate', 'gamma', 'epsilon']);
  assert.equal(hello.values.epsilon, 0.1, 'the run override reached the trainer');
  await run.next('interval');

  const p = run.setHyperparams({ epsilon: 0.02 }, 'user', 'less exploration');
  const applied = await run.next('applied');
  assert.equal(applied.version, p.version);
  assert.equal(applied.values.epsilon, 0.02);
  // The change is in use: the trainer reports its epsilon with each episode.
  const seen = await new Promise<number>((resolve) =>
    run.on('metrics', (b) => {
      const e = b.points.find((x) => x.step > applied.step && x.scalars['charts/epsilon'] !== undefined);
      if (e) resolve(e.scalars['charts/epsilon']!);
    }),
  );
  assert.equal(seen, 0.02);

  const confirmed = run.next('state');
  run.pause();
  // The trainer's "paused" reply, not a sleep, marks the step it stopped at.
  assert.equal((await confirmed).state, 'paused');
  const pausedAt = run.step;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(run.step, pausedAt);
  run.resume();
  await run.next('interval');

  const exit = await run.stop();
  assert.equal(exit.status, 'stopped', exit.message);
  assert.deepEqual(warnings, []);
  const last = m.store.lastCheckpoint(m.store.read(run.id))!;
  assert.equal(last.step, exit.step, 'stop wrote a checkpoint at the last step');
  assert.ok(run.recentEpisodeReturns().slice(-20).reduce((a, b) => a + b, 0) / 20 >= -12, 'it learned (best return is -8)');

  const resumed = m.resume(run.id, { totalSteps: exit.step + 3000 });
  const hello2 = await resumed.next('hello');
  assert.equal(hello2.step, exit.step);
  assert.equal(hello2.values.epsilon, 0.02, 'the latest config version is what the resumed trainer uses');
  const exit2 = await resumed.finished;
  assert.equal(exit2.status, 'completed', exit2.message);
  assert.equal(exit2.step, exit.step + 3000);
  const configs = m.store.readConfigs(run.id).records;
  assert.deepEqual(configs.map((c) => c.author), ['initial', 'user']);
});

// A burst of SIGKILLs at seeded random moments (start-up, mid-training, right after a
// checkpoint was asked for), each followed by a resume, with random hyperparameter changes
// within bounds and out-of-bounds ones that must be refused: in the end no metric line is lost,
// every episode of the scripted trainer (one each 50 steps) is read back exactly once, and no
// value outside the space was ever applied. (Real built-in trainers: faults-builtin.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { countLost, countOutOfBounds, MetricsTap } from '../../bench/faults-check';
import { Rng } from '../../src/rl/rng';
import { streamMetrics } from '../../src/runs/metrics-reader';
import type { Run } from '../../src/runs/run';
import type { HyperparamValues } from '../../src/shared/hyperparams';

function killGroup(run: Run): boolean {
  try {
    process.kill(-run.pid!, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

test('12 kills at random moments, each resumed: 0 lines lost, every episode once, 0 values out of bounds', async () => {
  const rng = new Rng(8);
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_DELAY_MS: '8' });
  const tap = new MetricsTap();
  let total = 10_000;
  let run = m.start(scriptedSpec({ totalSteps: total, interval: 400, checkpointEvery: 200 }));
  tap.follow(run);
  const id = run.id;
  let kills = 0;
  let attempts = 0;
  let refused = 0;
  let applied = 0;
  while (kills < 12 && attempts++ < 30) {
    const exit = run.finished;
    const moment = rng.random();
    if (moment < 0.2) {
      await new Promise((r) => setTimeout(r, rng.random() * 40)); // start-up, maybe before hello
    } else {
      const hello = await run.next('hello');
      const lr = Math.exp(Math.log(1e-6) + rng.random() * Math.log(1e6));
      run.setHyperparams({ learning_rate: Number(lr.toPrecision(4)), gamma: 0.8 + rng.random() * 0.1999 }, 'user', 'burst');
      applied++;
      const refusedValues: HyperparamValues[] = [{ learning_rate: 2 }, { gamma: 0.5 }, { learning_rate: -1 }, { n_steps: 64 }];
      for (const bad of refusedValues) {
        assert.throws(() => run.setHyperparams(bad, 'user', 'out of bounds or immutable'));
        refused++;
      }
      const target = hello.step + 100 + Math.floor(rng.random() * 0.4 * (total - hello.step));
      await new Promise<void>((resolve) => {
        const sub = run.on('metrics', () => run.step >= target && (sub.dispose(), resolve()));
        void exit.then(() => resolve());
      });
      if (moment > 0.85) void run.checkpoint().catch(() => undefined);
    }
    killGroup(run);
    const e = await exit;
    if (e.status === 'completed') {
      // Finished before the kill landed (a loaded machine): continue it with a larger budget.
      total += 1000;
      run = m.resume(id, { totalSteps: total });
      tap.follow(run);
      continue;
    }
    assert.equal(e.signal, 'SIGKILL', e.message);
    kills++;
    run = m.resume(id);
    tap.follow(run);
  }
  const end = await run.finished;
  assert.equal(end.status, 'completed', end.message);
  assert.equal(kills, 12, 'every kill landed before the run finished');
  assert.ok(m.store.read(id).segments.length >= 13);
  const loss = await countLost(m.store, id, tap);
  assert.equal(loss.lost, 0, `lost: ${loss.examples.join(', ')}`);
  assert.equal(loss.outOfOrder, 0);
  const bounds = await countOutOfBounds(m.store, id);
  assert.equal(bounds.outOfBounds, 0, bounds.examples.join('; '));
  assert.ok(bounds.checked > 0 && applied > 0 && refused === applied * 4);
  const episodes: number[] = [];
  await streamMetrics(m.store, id, (p) => void (p.scalars['charts/episodic_return'] !== undefined && episodes.push(p.step)));
  assert.deepEqual(episodes, Array.from({ length: total / 50 }, (_, i) => (i + 1) * 50));
});

test('a trainer that announces values outside its own space is stopped at hello, in words, before any config version is recorded', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_DELAY_MS: '20' });
  // The API does not check start values (the CLI and the UI do): the host's check at hello is the last line.
  const run = m.start(scriptedSpec({ totalSteps: 100_000, values: { learning_rate: 5 } }));
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.match(exit.message, /^the trainer started with values outside its hyperparameter space: learning_rate = 5 is above its maximum 1 \(allowed: 0.000001 to 1\)|^the trainer started with values outside its hyperparameter space: learning_rate = 5 is above its maximum 1/);
  assert.deepEqual(m.store.readConfigs(run.id).records, []);
  assert.equal((await countOutOfBounds(m.store, run.id).catch(() => ({ outOfBounds: 0 }))).outOfBounds, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { manager, scriptedSpec, tempRoot } from './helpers';
import { streamMetrics } from '../../src/runs/metrics-reader';

test('a run goes from start to completed; metrics, configs, checkpoints and run.json are on disk', async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(scriptedSpec({ values: { gamma: 0.95 } }));
  const statuses: string[] = [];
  let batches = 0;
  let intervals = 0;
  run.on('status', (e) => statuses.push(e.status));
  run.on('metrics', (e) => (batches += e.points.length > 0 ? 1 : 0));
  run.on('interval', () => intervals++);
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', exit.message);
  assert.equal(exit.step, 2000);
  assert.deepEqual(statuses, ['running', 'completed']);
  assert.equal(intervals, 4);
  assert.ok(batches >= 1);
  const rec = m.store.read(run.id);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.pid, null);
  assert.equal(rec.segments.length, 1);
  assert.equal(rec.segments[0]!.exit?.code, 0);
  assert.deepEqual(rec.checkpoints.map((c) => c.step), [500, 1000, 1500, 2000, 2000]);
  assert.ok(existsSync(join(run.paths.checkpoints, 'step-2000.json')));
  // Only the newest three whole checkpoints are kept (KEEP_CHECKPOINTS); the two at step 2000
  // share one file, which stays. Pruned ones are deleted, marked, and never resumed from.
  assert.deepEqual(rec.checkpoints.map((c) => c.pruned !== undefined), [true, true, false, false, false]);
  assert.match(rec.checkpoints[0]!.pruned!, /only the newest 3 checkpoints are kept/);
  assert.ok(!existsSync(join(run.paths.checkpoints, 'step-500.json')));
  assert.ok(!existsSync(join(run.paths.checkpoints, 'step-1000.json')));
  assert.ok(existsSync(join(run.paths.checkpoints, 'step-1500.json')));
  assert.equal(m.store.chooseCheckpoint(rec).checkpoint?.step, 2000);
  const configs = m.store.readConfigs(run.id).records;
  assert.equal(configs.length, 1);
  assert.equal(configs[0]!.author, 'initial');
  assert.equal(configs[0]!.values.gamma, 0.95);
  let episodes = 0;
  const report = await streamMetrics(m.store, run.id, (p) => {
    if (p.scalars['charts/episodic_return'] !== undefined) episodes++;
  });
  assert.equal(episodes, 40);
  assert.deepEqual(report.problems, []);
  const firstLine = JSON.parse(readFileSync(run.paths.metrics, 'utf8').split('\n')[0]!);
  assert.equal(firstLine.step, 50);
  assert.equal(firstLine['charts/episodic_return'], 50 * 1.001);
});

test('setHyperparams: a new version is sent, applied at a step, recorded with author and reason; bad values are refused with the valid choices', async () => {
  const root = tempRoot();
  // The trainer holds after interval 0 until it has the set below: the change lands mid-run
  // (with steps after it to check) however loaded the machine is.
  const m = manager(root, { SCRIPTED_DELAY_MS: '20', SCRIPTED_HOLD_AT: '0' });
  const run = m.start(scriptedSpec({ totalSteps: 3000 }));
  await run.next('hello');
  assert.throws(() => run.setHyperparams({ learnin_rate: 0.1 }, 'user', 'typo'), /unknown hyperparameter "learnin_rate" \(valid: learning_rate, gamma, n_steps\)/);
  assert.throws(() => run.setHyperparams({ gamma: 2 }, 'user', 'too big'), /above its maximum/);
  assert.throws(() => run.setHyperparams({ n_steps: 256 }, 'user', 'immutable'), /n_steps cannot change mid-run/);
  const pending = run.setHyperparams({ learning_rate: 0.5 }, 'copilot', 'plateau: raise the step size');
  assert.equal(pending.version, 2);
  const applied = await run.next('applied');
  assert.equal(applied.version, 2);
  assert.equal(applied.author, 'copilot');
  assert.equal(applied.values.learning_rate, 0.5);
  assert.deepEqual(applied.changed, { learning_rate: 0.5 });
  const exit = await run.finished;
  assert.equal(exit.status, 'completed');
  const configs = m.store.readConfigs(run.id).records;
  assert.deepEqual(configs.map((c) => [c.version, c.author]), [[1, 'initial'], [2, 'copilot']]);
  assert.equal(configs[1]!.step, applied.step);
  assert.equal(configs[1]!.reason, 'plateau: raise the step size');
  // The change really took effect in the trainer: returns after the applied step use the new rate.
  const after: number[] = [];
  await streamMetrics(m.store, run.id, (p) => {
    const r = p.scalars['charts/episodic_return'];
    if (r !== undefined && p.step > applied.step + 50) after.push(r);
  });
  assert.ok(after.length > 0 && after.every((r) => Math.abs(r - 50 * 1.5) < 1e-9), `returns after the change: ${after.slice(0, 3)}`);
});

test('pause and resume: status follows, steps do not advance while paused', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_DELAY_MS: '10' });
  const run = m.start(scriptedSpec({ totalSteps: 100_000 }));
  await run.next('hello');
  await run.next('interval');
  const confirmed = run.next('state');
  run.pause();
  assert.equal(run.status, 'paused');
  // The trainer's "paused" reply is the point after which no step may come (a sleep instead
  // can end before steps still in the pipe arrive on a loaded machine).
  assert.equal((await confirmed).state, 'paused');
  const s1 = run.step;
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(run.step, s1, 'no steps while paused');
  assert.equal(m.store.read(run.id).status, 'paused');
  run.resume();
  assert.equal(run.status, 'running');
  await run.next('interval');
  assert.ok(run.step > s1);
  const ck = await run.checkpoint();
  assert.ok(existsSync(join(run.paths.dir, ck.path)));
  const exit = await run.stop();
  assert.equal(exit.status, 'stopped');
  const rec = m.store.read(run.id);
  assert.equal(rec.status, 'stopped');
  assert.equal(rec.checkpoints.at(-1)!.step, exit.step, 'stop wrote a final checkpoint');
});

test('two runs at once each get their own folder and complete', async () => {
  const root = tempRoot();
  const m = manager(root);
  const a = m.start(scriptedSpec({ seed: 1 }));
  const b = m.start(scriptedSpec({ seed: 2 }));
  assert.notEqual(a.id, b.id);
  assert.equal(m.runs().length, 2);
  const [ea, eb] = await Promise.all([a.finished, b.finished]);
  assert.equal(ea.status, 'completed');
  assert.equal(eb.status, 'completed');
  assert.equal(m.runs().length, 0);
  const list = m.store.list().runs;
  assert.equal(list.length, 2);
  assert.deepEqual(new Set(list.map((r) => r.seed)), new Set([1, 2]));
});

test('stop() right after start() (before the process exists) still stops the run gracefully', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_DELAY_MS: '10' });
  const run = m.start(scriptedSpec({ totalSteps: 1_000_000 }));
  const exit = await run.stop();
  assert.equal(exit.status, 'stopped', exit.message);
  assert.ok(exit.step < 1_000_000);
});

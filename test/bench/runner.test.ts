// The bench runner with real worker processes (`hyperprompt bench worker`, from the sources
// through tsx) on tiny jobs: parallel runs, the search → tuned-static dependency, resuming
// (finished jobs skipped, a missing or stale one re-run), an interrupt, a failing worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCatalog } from '../../src/bench/engine';
import { readResults } from '../../src/bench/results';
import { type RunnerEvent, runBench } from '../../src/bench/runner';
import { type Expansion, checkSuite, expandSuite } from '../../src/bench/suite';

function expansion(controllers: string[], steps = 512): Expansion {
  const c = checkSuite({
    name: 'tiny',
    steps,
    interval: 256,
    seeds: 1,
    tasks: [{ env: 'CartPole-v1', algo: 'ppo' }],
    starts: [{ name: 'fast', from: 'tuned', set: { n_envs: 4, n_steps: 32, batch_size: 64, n_epochs: 1 } }],
    controllers,
    options: { 'tuned-static': { trials: 2, startup: 1, trialSteps: 256, params: ['learning_rate'] } },
  });
  assert.ok(c.ok, !c.ok ? c.error : '');
  return expandSuite(c.value, benchCatalog());
}

test('jobs run in parallel workers; a resumed bench skips what is done and re-runs what is not', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hp-bench-run-'));
  const e = expansion(['static', 'tuned-static']);
  assert.deepEqual(e.jobs.map((j) => j.id), ['CartPole-v1.ppo.search', 'CartPole-v1.ppo.search.tuned-static.s0', 'CartPole-v1.ppo.fast.static.s0']);
  const events: RunnerEvent[] = [];
  const s1 = await runBench({ out, expansion: e, workers: 2, onEvent: (ev) => events.push(ev), command: 'hyperprompt bench --suite x.json' });
  assert.deepEqual(s1, { total: 3, skipped: 0, done: 3, failed: 0, interrupted: false });
  const starts = events.filter((ev) => ev.type === 'start') as Extract<RunnerEvent, { type: 'start' }>[];
  assert.deepEqual([...new Set(starts.map((s) => s.worker))].sort(), [0, 1], 'both workers were used');
  // the tuned-static run started after its search finished, from the searched value
  const order = events.filter((ev) => ev.type === 'start' || ev.type === 'done').map((ev) => `${ev.type}:${(ev as { id: string }).id}`);
  assert.ok(order.indexOf('done:CartPole-v1.ppo.search') < order.indexOf('start:CartPole-v1.ppo.search.tuned-static.s0'));
  const { results } = readResults(out);
  const search = results.find((r) => r.id === 'CartPole-v1.ppo.search')!;
  const ranJob = JSON.parse(readFileSync(join(out, 'jobs', 'CartPole-v1.ppo.search.tuned-static.s0.json'), 'utf8')) as { values: Record<string, unknown> };
  assert.equal(ranJob.values.learning_rate, search.search!.best.learning_rate);
  assert.equal((JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as { command?: string }).command, 'hyperprompt bench --suite x.json');

  // again: nothing to do
  const s2 = await runBench({ out, expansion: e, workers: 2 });
  assert.deepEqual(s2, { total: 3, skipped: 3, done: 0, failed: 0, interrupted: false });

  // a changed job (another definition → another hash) runs again; the others stay done
  const changed = expansion(['static', 'tuned-static']);
  changed.jobs.find((j) => j.id === 'CartPole-v1.ppo.fast.static.s0')!.hash = 'changed';
  const ran: string[] = [];
  const s3 = await runBench({ out, expansion: changed, workers: 2, onEvent: (ev) => ev.type === 'done' && ran.push(ev.id) });
  assert.deepEqual(ran, ['CartPole-v1.ppo.fast.static.s0']);
  assert.equal(s3.skipped, 2);
  assert.equal(readResults(out).results.find((r) => r.id === 'CartPole-v1.ppo.fast.static.s0')!.hash, 'changed');

  // a search that runs again takes the tuned-static runs that start from it along
  changed.jobs.find((j) => j.id === 'CartPole-v1.ppo.search')!.hash = 'changed';
  const ran2: string[] = [];
  await runBench({ out, expansion: changed, workers: 2, onEvent: (ev) => ev.type === 'done' && ran2.push(ev.id) });
  assert.deepEqual(ran2, ['CartPole-v1.ppo.search', 'CartPole-v1.ppo.search.tuned-static.s0']);
});

test('an interrupted bench stops its workers and the next start finishes the rest', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hp-bench-int-'));
  const e = expansion(['static'], 4096);
  const abort = new AbortController();
  const s1 = await runBench({
    out,
    expansion: e,
    workers: 1,
    signal: abort.signal,
    onEvent: (ev) => {
      if (ev.type === 'progress') abort.abort(); // mid-training of the first job
    },
  });
  assert.equal(s1.interrupted, true);
  assert.equal(s1.done, 0);
  assert.equal(readResults(out).results.length, 0, 'nothing half-written');
  const s2 = await runBench({ out, expansion: e, workers: 1 });
  assert.deepEqual(s2, { total: 1, skipped: 0, done: 1, failed: 0, interrupted: false });
});

test('a failing worker is recorded with its reason, and jobs that depend on it fail too', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hp-bench-fail-'));
  const e = expansion(['tuned-static']);
  // tfjs-node is not installed here: the worker cannot load the engine and says why
  const failed: { id: string; error: string }[] = [];
  const s = await runBench({ out, expansion: e, workers: 1, workerArgs: ['--backend', 'tfjs-node'], onEvent: (ev) => ev.type === 'failed' && failed.push(ev) });
  assert.deepEqual(s, { total: 2, skipped: 0, done: 0, failed: 2, interrupted: false });
  assert.match(failed[0]!.error, /tfjs-node/);
  assert.deepEqual(failed[1], { type: 'failed', id: 'CartPole-v1.ppo.search.tuned-static.s0', error: 'depends on CartPole-v1.ppo.search, which failed' });
  const { results } = readResults(out);
  assert.equal(results.filter((r) => r.status === 'failed').length, 2);
});

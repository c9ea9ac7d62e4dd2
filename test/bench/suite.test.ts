import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Check, fail, ok } from '../../src/shared/guards';
import type { HyperparamSpec, HyperparamValues } from '../../src/shared/hyperparams';
import { BUILTIN_STARTS, type TaskCatalog, checkSuite, expandSuite, loadSuite, shippedSuiteNames, startValues } from '../../src/bench/suite';

// A small stand-in for the engine's catalogue (two algorithms with SB3-named spaces), so the
// expansion rules are tested on their own; test/bench/catalog.test.ts expands the shipped
// suites against the real engine.
const ppoSpace: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1e-2, scale: 'log', mutable: true, description: '' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 1, scale: 'linear', mutable: true, description: '' },
  { name: 'clip_range', type: 'float', default: 0.2, min: 0.01, max: 1, scale: 'linear', mutable: true, description: '' },
  { name: 'n_steps', type: 'int', default: 128, min: 8, max: 4096, scale: 'log', mutable: false, description: '' },
];
const dqnSpace: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 1e-4, min: 1e-6, max: 1e-1, scale: 'log', mutable: true, description: '' },
  { name: 'exploration_final_eps', type: 'float', default: 0.05, min: 0, max: 1, scale: 'linear', mutable: true, description: '' },
];
const catalogFixture: TaskCatalog = {
  envs: ['CartPole-v1', 'Pendulum-v1'],
  algos: ['ppo', 'dqn'],
  space: (algo) => (algo === 'ppo' ? ppoSpace : dqnSpace),
  preset(env, algo): Check<HyperparamValues> {
    if (algo === 'dqn' && env === 'Pendulum-v1') return fail('dqn needs discrete actions and Pendulum-v1 has continuous ones');
    return algo === 'ppo' ? ok({ learning_rate: 1e-3, ent_coef: 0, clip_range: 0.2, n_steps: 32 }) : ok({ learning_rate: 2.3e-3, exploration_final_eps: 0.04 });
  },
};

const base = {
  name: 't',
  interval: 1000,
  seeds: 2,
  steps: 5000,
  tasks: [
    { env: 'CartPole-v1', algo: 'ppo' },
    { env: 'CartPole-v1', algo: 'dqn', steps: 3000 },
  ],
  starts: ['tuned', 'lr-x10', 'clip-small'],
  controllers: ['static', 'pbt', 'tuned-static'],
};

function suiteOf(raw: unknown) {
  const c = checkSuite(raw);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

test('a valid suite is read with defaults filled in', () => {
  const s = suiteOf(base);
  assert.deepEqual(s.seeds, [0, 1]);
  assert.equal(s.tasks[0]!.steps, 5000);
  assert.equal(s.tasks[1]!.steps, 3000);
  assert.equal(s.starts[1], BUILTIN_STARTS['lr-x10']);
  assert.equal(s.options.pbt.population, 4);
  assert.equal(s.evalEpisodes, 0);
});

test('every problem in a suite is reported at once, with its path and the valid choices', () => {
  const c = checkSuite({
    name: 'bad name!',
    interval: 0,
    seeds: [1, 1],
    tasks: [{ env: 'CartPole-v1' }, 'x', { env: 'A', algo: 'ppo', steps: 10, colour: 'red' }],
    starts: ['tuned', 'lr-x100', { name: 'mine', from: 'best' }],
    controllers: ['static', 'magic', 'static'],
    options: { pbt: { population: 1 }, nope: {} },
  });
  assert.equal(c.ok, false);
  const err = (c as { error: string }).error;
  for (const needle of [
    'name: must be',
    'interval: must be a positive integer',
    'seeds: lists a seed twice',
    'tasks[0].algo: must be an algorithm name',
    'tasks[0].steps: must be a positive integer',
    'tasks[1]: a task must be an object',
    'tasks[2]: unknown field "colour"',
    'starts[1]: unknown start "lr-x100" (built in: tuned, defaults, lr-x10',
    'starts[2].from: must be "tuned" or "defaults"',
    'controllers[1]: unknown controller "magic" (valid: static, schedule',
    'controllers[2]: controller "static" appears twice',
    'options.pbt.population: must be an integer ≥ 2',
    'options: unknown controller "nope"',
  ])
    assert.ok(err.includes(needle), `missing "${needle}" in:\n${err}`);
  assert.equal(checkSuite([]).ok, false);
});

test('starts: scale and set on the tuned preset, clipped to bounds with a note, or not applicable', () => {
  const tuned = { learning_rate: 2e-3, ent_coef: 0, clip_range: 0.2, n_steps: 32 };
  const x10 = startValues(BUILTIN_STARTS['lr-x10']!, ppoSpace, tuned, {});
  assert.ok(x10.ok);
  assert.equal(x10.value.values.learning_rate, 1e-2); // 2e-2 clipped to max 1e-2
  assert.deepEqual(x10.value.notes, ['learning_rate 0.02 clipped to its maximum 0.01']);
  const div = startValues(BUILTIN_STARTS['lr-div10']!, ppoSpace, tuned, {});
  assert.ok(div.ok);
  assert.ok(Math.abs((div.value.values.learning_rate as number) - 2e-4) < 1e-18);
  const clip = startValues(BUILTIN_STARTS['clip-small']!, dqnSpace, { learning_rate: 1e-3 }, {});
  assert.equal(clip.ok, false);
  assert.match((clip as { error: string }).error, /sets clip_range, which this algorithm does not have/);
  const defaults = startValues(BUILTIN_STARTS.defaults!, ppoSpace, tuned, { learning_rate: 3e-4 });
  assert.deepEqual(defaults.ok && defaults.value.values, { learning_rate: 3e-4 });
});

test('expansion: tasks × starts × controllers × seeds, with stable ids and search dependencies', () => {
  const e = expandSuite(suiteOf(base), catalogFixture);
  const ids = e.jobs.map((j) => j.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  // ppo: 3 starts × 2 controllers (static, pbt) × 2 seeds + 1 search + 2 tuned-static runs = 15
  // dqn: clip-small does not apply: 2 starts × 2 × 2 + 1 + 2 = 11
  assert.equal(e.jobs.length, 26);
  assert.deepEqual(e.skipped, ['CartPole-v1.dqn × clip-small: start "clip-small" sets clip_range, which this algorithm does not have']);
  assert.ok(ids.includes('CartPole-v1.ppo.lr-x10.pbt.s1'));
  const search = e.jobs.find((j) => j.id === 'CartPole-v1.ppo.search')!;
  assert.equal(search.kind, 'search');
  assert.equal(search.options.trialSteps, 5000);
  const tunedRun = e.jobs.find((j) => j.id === 'CartPole-v1.ppo.search.tuned-static.s0')!;
  assert.deepEqual(tunedRun.dependsOn, ['CartPole-v1.ppo.search']);
  const j = e.jobs.find((x) => x.id === 'CartPole-v1.ppo.lr-x10.static.s0')!;
  assert.equal(j.values.learning_rate, 1e-2);
  assert.deepEqual(j.task.reference, { random: 22.2, threshold: 475 });
  // Stable: the same suite expands to the same ids and hashes; a changed budget changes the hash only.
  const again = expandSuite(suiteOf(base), catalogFixture);
  assert.deepEqual(again.jobs.map((x) => [x.id, x.hash]), e.jobs.map((x) => [x.id, x.hash]));
  const longer = expandSuite(suiteOf({ ...base, steps: 6000 }), catalogFixture);
  const jl = longer.jobs.find((x) => x.id === j.id)!;
  assert.notEqual(jl.hash, j.hash);
});

test('overrides: --controllers and --seeds replace the suite\'s; unknown names are errors', () => {
  const e = expandSuite(suiteOf(base), catalogFixture, { controllers: ['heuristic'], seeds: 3 });
  assert.ok(e.jobs.every((j) => j.controller === 'heuristic'));
  assert.deepEqual([...new Set(e.jobs.map((j) => j.seed))], [0, 1, 2]);
  assert.throws(() => expandSuite(suiteOf(base), catalogFixture, { controllers: ['heuristik'] }), /unknown controller\(s\) heuristik \(valid: static/);
});

test('overrides: --tasks and --starts keep a subset; --scale multiplies every step count', () => {
  const withOpts = { ...base, options: { pbt: { readyInterval: 2000 }, 'oracle-lookahead': { horizon: 3000 }, 'tuned-static': { trialSteps: 4000 } } };
  const e = expandSuite(suiteOf(withOpts), catalogFixture, { tasks: ['CartPole-v1.dqn'], starts: ['lr-x10'], scale: 0.25 });
  assert.ok(e.jobs.every((j) => j.task.id === 'CartPole-v1.dqn'));
  assert.deepEqual([...new Set(e.jobs.filter((j) => j.kind === 'run' && j.controller !== 'tuned-static').map((j) => j.start))], ['lr-x10']);
  for (const j of e.jobs) {
    assert.equal(j.task.steps, 750); // 3000 × 0.25
    assert.equal(j.interval, 250);
  }
  assert.equal(e.jobs.find((j) => j.controller === 'pbt')!.options.readyInterval, 500);
  assert.equal(e.jobs.find((j) => j.kind === 'search')!.options.trialSteps, 1000);
  // Scaling changes what a job computes, so a resumed bench does not reuse full-budget results.
  const full = expandSuite(suiteOf(withOpts), catalogFixture, { tasks: ['CartPole-v1.dqn'], starts: ['lr-x10'] });
  assert.notEqual(full.jobs[0]!.hash, e.jobs.find((j) => j.id === full.jobs[0]!.id)!.hash);
  assert.throws(() => expandSuite(suiteOf(base), catalogFixture, { tasks: ['CartPole-v1.sac'] }), /unknown task\(s\) CartPole-v1.sac \(this suite's tasks: CartPole-v1.ppo, CartPole-v1.dqn\)/);
  assert.throws(() => expandSuite(suiteOf(base), catalogFixture, { starts: ['lr-x100'] }), /unknown start\(s\) lr-x100 \(this suite's starts: tuned, lr-x10, clip-small\)/);
  assert.throws(() => expandSuite(suiteOf(base), catalogFixture, { scale: 0 }), /--scale must be a positive number, got 0/);
});

test('expansion refuses unknown envs, algorithms and pairs that cannot train, naming each', () => {
  const s = suiteOf({
    ...base,
    tasks: [
      { env: 'CartPol-v1', algo: 'ppo' },
      { env: 'CartPole-v1', algo: 'a2c' },
      { env: 'Pendulum-v1', algo: 'dqn' },
      { env: 'Pendulum-v1', algo: 'ppo', evalEnvs: ['Nope-v0'] },
    ],
  });
  assert.throws(
    () => expandSuite(s, catalogFixture),
    (e: Error) =>
      e.name === 'SuiteError' &&
      e.message.includes('tasks[0] (CartPol-v1.ppo): unknown env "CartPol-v1" (valid: CartPole-v1, Pendulum-v1)') &&
      e.message.includes('tasks[1] (CartPole-v1.a2c): unknown algorithm "a2c" (valid: ppo, dqn)') &&
      e.message.includes('tasks[2] (Pendulum-v1.dqn): dqn needs discrete actions') &&
      e.message.includes('unknown eval env "Nope-v0"'),
  );
});

test('suites load by shipped name or by path, with clear errors', () => {
  assert.deepEqual(shippedSuiteNames(), ['classic', 'generalisation', 'smoke']);
  for (const n of shippedSuiteNames()) assert.equal(loadSuite(n).name, n);
  const dir = mkdtempSync(join(tmpdir(), 'hp-suite-'));
  writeFileSync(join(dir, 'mine.json'), JSON.stringify(base));
  assert.equal(loadSuite('mine.json', dir).name, 't');
  writeFileSync(join(dir, 'broken.json'), '{"name": ');
  assert.throws(() => loadSuite('./broken.json', dir), /is not valid JSON/);
  assert.throws(() => loadSuite('smok'), /no suite named "smok" \(shipped: classic, generalisation, smoke/);
  assert.throws(() => loadSuite('./missing.json', dir), /does not exist/);
});

// Runs real bench jobs in-process with the real engine (PPO on CartPole, tiny budgets): every
// controller kind and the search, checking what each records and how many env steps it says
// it consumed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCatalog, loadEngine } from '../../src/bench/engine';
import { type Engine, executeJob } from '../../src/bench/job';
import { type BenchJob, checkSuite, expandSuite } from '../../src/bench/suite';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';
import { RunStore } from '../../src/runs/store';
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';

const STEPS = 1024;
let engine: Engine;
let jobs: BenchJob[];
const out = mkdtempSync(join(tmpdir(), 'hp-bench-job-'));

before(async () => {
  engine = await loadEngine('wasm');
  const c = checkSuite({
    name: 'tiny',
    steps: STEPS,
    interval: 256,
    seeds: 1,
    evalEpisodes: 1,
    tasks: [{ env: 'CartPole-v1', algo: 'ppo' }],
    // small, fast PPO: 4 envs × 32 steps, 2 epochs
    starts: [{ name: 'fast', from: 'tuned', set: { n_envs: 4, n_steps: 32, batch_size: 64, n_epochs: 2 } }],
    controllers: ['static', 'schedule', 'heuristic', 'ollama', 'pbt', 'oracle-lookahead', 'tuned-static'],
    options: {
      pbt: { population: 2, quantile: 0.5 },
      'oracle-lookahead': { candidates: 2, horizon: 128, params: ['learning_rate'] },
      'tuned-static': { trials: 2, startup: 1, trialSteps: 256, params: ['learning_rate'] },
    },
  });
  assert.ok(c.ok, !c.ok ? c.error : '');
  jobs = expandSuite(c.value, benchCatalog()).jobs;
});

const job = (id: string): BenchJob => {
  const j = jobs.find((x) => x.id === id);
  assert.ok(j, `no job ${id} in ${jobs.map((x) => x.id).join(', ')}`);
  return j;
};

test('static: metrics, curve, one config version, evaluation', async () => {
  const r = await executeJob(job('CartPole-v1.ppo.fast.static.s0'), { engine, out });
  assert.equal(r.status, 'done');
  const m = r.metrics!;
  assert.ok(m.envSteps >= STEPS && m.envSteps < STEPS + 128, `env steps ${m.envSteps}`);
  assert.ok(m.episodes > 5);
  assert.equal(m.changes, 0);
  assert.equal(r.trajectory!.length, 1);
  assert.equal(r.curve!.grid.length, 100);
  assert.equal(r.evals![0]!.env, 'CartPole-v1');
  assert.equal(m.evalReturn, r.evals![0]!.meanReturn);
  assert.ok(Number.isFinite(m.auc));
});

test('schedule: the co-pilot session applies decisions in auto mode and logs them', async () => {
  const r = await executeJob(job('CartPole-v1.ppo.fast.schedule.s0'), { engine, out });
  const t = r.trajectory!;
  assert.ok(t.length >= 3, `trajectory ${JSON.stringify(t)}`);
  assert.equal(t[1]!.author, 'schedule');
  assert.ok((t.at(-1)!.values.learning_rate as number) < (t[0]!.values.learning_rate as number));
  assert.equal(r.metrics!.changes, t.length - 1);
  assert.ok(r.metrics!.controllerSeconds > 0);
  const log = readFileSync(join(out, 'decisions', 'CartPole-v1.ppo.fast.schedule.s0.jsonl'), 'utf8').trim().split('\n');
  assert.ok(log.length >= 2);
  assert.equal(JSON.parse(log[0]!).controller, 'schedule');
  // every decision, the last included, knows the return that followed it
  assert.ok(log.every((l) => typeof (JSON.parse(l) as { returnAfter: unknown }).returnAfter === 'number'), log.join('\n'));
  // the run is also a run folder the runs tools read
  const store = new RunStore(join(out, 'runs'));
  const id = basename(r.runDir!);
  const rec = store.read(id);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.spec.label, 'bench CartPole-v1.ppo.fast.schedule.s0');
  const configs = store.readConfigs(id).records;
  assert.deepEqual(configs.map((c) => c.author), t.map((p) => p.author));
  assert.ok(configs[1]!.changed && 'learning_rate' in configs[1]!.changed);
  assert.equal(store.readDecisions(id).records.length, log.length);
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += String(d)));
  const code = await main(['runs', 'show', id, '--out', join(out, 'runs'), '--json'], { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: out });
  assert.equal(code, 0);
  assert.ok(text.includes(id));
});

test('pbt: two members, all their steps counted, member histories kept', async () => {
  const r = await executeJob(job('CartPole-v1.ppo.fast.pbt.s0'), { engine, out });
  assert.ok(r.metrics!.envSteps >= 2 * STEPS, `env steps ${r.metrics!.envSteps}`);
  assert.equal(r.members!.length, 2);
  // 1024 steps, ready every 256: three exploit/explore rounds, one member replaced in each
  const copies = r.members!.flatMap((m) => m.trajectory.filter((p) => p.author.startsWith('pbt')));
  assert.equal(copies.length, 3);
  assert.ok(r.trajectory!.length >= 1);
});

test('oracle-lookahead: branches counted in env steps and controller time, choices logged', async () => {
  const r = await executeJob(job('CartPole-v1.ppo.fast.oracle-lookahead.s0'), { engine, out });
  // 3 decision points × 2 candidates × ≥128 branch steps on top of the agent's own
  assert.ok(r.metrics!.envSteps >= STEPS + 3 * 2 * 128, `env steps ${r.metrics!.envSteps}`);
  assert.ok(r.metrics!.controllerSeconds > 0);
  const log = readFileSync(join(out, 'decisions', 'CartPole-v1.ppo.fast.oracle-lookahead.s0.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { candidates: unknown[]; chosen: number });
  assert.equal(log.length, 3);
  for (const d of log) {
    assert.equal(d.candidates.length, 2);
    assert.ok(d.chosen === 0 || d.chosen === 1);
  }
  const chosenChanges = log.filter((d) => d.chosen !== 0).length;
  assert.equal(r.metrics!.changes, chosenChanges);
});

test('search: TPE trials from the preset, their steps counted, the best kept', async () => {
  const r = await executeJob(job('CartPole-v1.ppo.search'), { engine, out });
  assert.equal(r.kind, 'search');
  const s = r.search!;
  assert.equal(s.trials.length, 2);
  assert.equal(s.trials[0]!.values.learning_rate, job('CartPole-v1.ppo.search').values.learning_rate); // warm start
  assert.equal(s.envSteps, s.trials.reduce((a, t) => a + t.envSteps, 0));
  assert.ok(s.envSteps >= 2 * 256);
  assert.ok(Object.keys(s.best).length === 1 && typeof s.best.learning_rate === 'number');
  assert.ok(!existsSync(join(out, 'decisions', 'CartPole-v1.ppo.search.jsonl')));
});

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test('ollama: proposals from the server (an Ollama test server here) go through the session and are applied', async () => {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  for (let i = 0; i < 3; i++) s.enqueue({ reply: { changes: { learning_rate: 0.001 * 0.8 ** (i + 1) }, rationale: `reply ${i}` } });
  const r = await executeJob(job('CartPole-v1.ppo.fast.ollama.s0'), { engine, out, ollama: { host: s.url } });
  const byOllama = r.trajectory!.filter((p) => p.author === 'ollama');
  assert.equal(byOllama.length, 3); // one decision per interval boundary (3 in 1024 steps at K = 256)
  assert.ok(Math.abs((byOllama[0]!.values.learning_rate as number) - 0.0008) < 1e-12);
  assert.equal(s.requestsTo('/api/chat').length, 3);
  assert.ok(r.metrics!.controllerSeconds > 0);
  const log = readFileSync(join(out, 'decisions', 'CartPole-v1.ppo.fast.ollama.s0.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; prompt: unknown });
  assert.ok(log.every((d) => d.outcome === 'applied' && d.prompt !== null));
});

test('embedded: options.embedded.weights benches a model other than the shipped one; a missing file fails the job in words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-weights-'));
  // A one-layer "model" reading progress only, whose biases make learning_rate ×3 the clear winner.
  const factors = [1 / 3, 1, 3];
  const file = join(dir, 'lr-up.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'hyperprompt-embedded/1',
      factors,
      models: { ppo: { features: ['progress'], mean: [0], std: [1], params: ['learning_rate'], layers: [{ inputs: 1, outputs: 3, w: [0, 0, 0], b: [-5, 0, 5] }] } },
    }),
  );
  const suite = (weights: string) => {
    const c = checkSuite({
      name: 'weights',
      steps: 768,
      interval: 256,
      seeds: 1,
      tasks: [{ env: 'CartPole-v1', algo: 'ppo' }],
      starts: [{ name: 'fast', from: 'tuned', set: { n_envs: 4, n_steps: 32, batch_size: 64, n_epochs: 2, learning_rate: 1e-4 } }],
      controllers: ['embedded'],
      options: { embedded: { weights } },
    });
    assert.ok(c.ok, !c.ok ? c.error : '');
    return expandSuite(c.value, benchCatalog()).jobs[0]!;
  };
  const r = await executeJob(suite(file), { engine, out });
  assert.equal(r.status, 'done');
  const lr = r.trajectory!.map((t) => t.values.learning_rate as number);
  assert.ok(lr.length >= 2 && lr[1]! > lr[0]!, `the named model raised the rate: ${lr}`);
  const missing = join(dir, 'nope.json');
  await assert.rejects(
    async () => {
      const m = await executeJob(suite(missing), { engine, out });
      if (m.status !== 'done') throw new Error(m.error ?? 'failed');
    },
    (e: Error) => e.message.includes(missing) && /cannot read the embedded controller's weights/.test(e.message),
  );
  const bad = checkSuite({ name: 'w', steps: 768, interval: 256, tasks: [{ env: 'CartPole-v1', algo: 'ppo' }], starts: ['tuned'], controllers: ['embedded'], options: { embedded: { weights: 3, other: 1, anyEnv: 'yes' } } });
  assert.ok(!bad.ok && /options\.embedded\.weights: must be the path of a weights file/.test(bad.error) && /options\.embedded.*other/.test(bad.error) && /options\.embedded\.anyEnv: must be true or false/.test(bad.error), !bad.ok ? bad.error : '');
});

// ES on the meta-reward (src/meta/es.ts) on a tiny real budget, and the evidence table
// (src/meta/gap.ts) on bench results whose AUCs are given, so the ratios can be checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from '../../src/bench/engine';
import type { JobResult } from '../../src/bench/results';
import { checkSuite, expandSuite } from '../../src/bench/suite';
import { benchCatalog } from '../../src/bench/engine';
import { checkEmbeddedWeights, EMBEDDED_FORMAT, type EmbeddedWeights } from '../../src/copilot/controllers/embedded';
import { featureNames } from '../../src/copilot/summary';
import { spaceFor } from '../../src/rl/algos/index';
import { centredRanks, evolve, flatten, runAuc, withTheta } from '../../src/meta/es';
import { gapMarkdown, gapReport } from '../../src/meta/gap';
import { FACTORS } from '../../src/meta/targets';

/** A one-layer network over every feature whose biases rate learning_rate ×3 far above keep. */
function raiseLr(): EmbeddedWeights {
  const features = featureNames(spaceFor('ppo')).filter((f) => f !== 'sps');
  const k = FACTORS.length;
  return {
    format: EMBEDDED_FORMAT,
    factors: [...FACTORS],
    models: {
      ppo: {
        features,
        mean: features.map(() => 0),
        std: features.map(() => 1),
        params: ['learning_rate'],
        layers: [{ inputs: features.length, outputs: k, w: new Array(features.length * k).fill(0), b: FACTORS.map((f) => (f === 3 ? 5 : 0)) }],
      },
    },
  };
}

function tinyJobs(starts: string[], seeds: number[]) {
  const s = checkSuite({ name: 'es-test', description: 't', interval: 512, seeds, evalEpisodes: 0, tasks: [{ env: 'CartPole-v1', algo: 'ppo', steps: 1024 }], starts, controllers: ['static'] });
  assert.ok(s.ok, s.ok ? '' : s.error);
  return expandSuite(s.value, benchCatalog(), { controllers: ['static'] }).jobs;
}

test('centred ranks and θ round-trips', () => {
  assert.deepEqual(centredRanks([3, 1, 2]), [0.5, -0.5, 0]);
  assert.deepEqual(centredRanks([1, 1, 2]), [-0.25, -0.25, 0.5]);
  const w = raiseLr();
  const theta = flatten(w, 'ppo', 'output');
  assert.equal(theta.length, w.models.ppo!.layers[0]!.w.length + FACTORS.length);
  const moved = withTheta(w, 'ppo', 'output', theta.map((v) => v + 1));
  assert.equal(moved.models.ppo!.layers[0]!.b[0], w.models.ppo!.layers[0]!.b[0]! + 1);
  assert.equal(w.models.ppo!.layers[0]!.w[0], 0, 'the original is not modified');
  assert.throws(() => flatten(w, 'dqn', 'all'), /no network for dqn/);
});

test('ES on a tiny real budget: antithetic scores, a step, weights that still load', async () => {
  const engine = await loadEngine('wasm');
  const [job] = tinyJobs(['tuned'], [0]);
  // The controller really drives the run: a network that always raises the learning rate changes the AUC.
  const staticAuc = await runAuc(engine, job!, null);
  const driven = await runAuc(engine, job!, raiseLr());
  assert.notEqual(driven, staticAuc);
  const r = await evolve(engine, raiseLr(), 'ppo', [job!], { generations: 1, pairs: 1, sigma: 2, learningRate: 1, scope: 'output', seed: 3 });
  assert.equal(r.history.length, 1);
  assert.equal(r.history[0]!.scores.length, 2);
  assert.equal(r.staticScore, staticAuc);
  assert.equal(r.before, driven, 'the same seed gives the same run');
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(r.weights))).ok);
  const scores = r.history[0]!.scores;
  const changed = flatten(r.weights, 'ppo', 'output').some((v, i) => v !== flatten(raiseLr(), 'ppo', 'output')[i]);
  // Equal scores give equal ranks and no step; different ones move θ.
  assert.equal(changed, scores[0] !== scores[1]);
});

function result(start: string, controller: string, seed: number, auc: number, steps: number | null = null): JobResult {
  return {
    id: `T.${start}.${controller}.s${seed}`, hash: 'h', kind: 'run', taskId: 'T', env: 'E', algo: 'ppo', steps: 1000, reference: { random: 0, threshold: 1 },
    start, controller, seed, status: 'done', startedAt: '', finishedAt: '', values: {},
    metrics: { auc, finalReturn: null, finalScore: null, evalReturn: null, stepsToThreshold: steps, episodes: 1, wallSeconds: 1, controllerSeconds: 0, changes: 0, envSteps: 1000 },
  };
}

test('gap report: recovered = (ctl − static poor) / (static tuned − static poor), paired by seed; worse flagged only when the whole CI is below', () => {
  const rs: JobResult[] = [];
  for (const seed of [0, 1, 2, 3]) {
    rs.push(result('tuned', 'static', seed, 0.5 + 0.01 * seed, 1000));
    rs.push(result('lr-div10', 'static', seed, 0.1 + 0.01 * seed));
    rs.push(result('lr-div10', 'embedded', seed, 0.3 + 0.01 * seed, 2000 + seed));
    rs.push(result('tuned', 'embedded', seed, 0.4 + 0.01 * seed));
  }
  const g = gapReport(rs, { reps: 200 });
  const row = (start: string, ctl: string) => g.rows.find((r) => r.start === start && r.controller === ctl)!;
  const e = row('lr-div10', 'embedded');
  assert.ok(Math.abs(e.recovered!.point - 0.5) < 1e-9);
  // Seed effects are shared, so the paired interval is exact here.
  assert.ok(Math.abs(e.recovered!.lower - 0.5) < 1e-9 && Math.abs(e.recovered!.upper - 0.5) < 1e-9);
  assert.equal(e.reached, 4);
  assert.equal(e.worseThanStatic, false);
  assert.equal(row('tuned', 'embedded').worseThanStatic, true);
  assert.equal(row('tuned', 'embedded').recovered, null);
  assert.ok(Math.abs(g.overall.find((o) => o.controller === 'embedded')!.recovered.point - 0.5) < 1e-9);
  assert.match(gapMarkdown(g), /\| T \| tuned \| embedded \| 4 \| .* \*\*worse\*\*/);
});

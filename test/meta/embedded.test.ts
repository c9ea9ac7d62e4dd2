// The embedded controller: its weights guard, the forward pass against a hand-computed net,
// the one-change decision rule, the shipped weights file (loads, decides, fast), and its
// place as the Ollama controller's default fallback (against a refused port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedController, checkEmbeddedWeights, defaultWeightsPath, loadEmbeddedWeights, type EmbeddedWeights } from '../../src/copilot/controllers/embedded';
import { makeController } from '../../src/copilot/controllers/index';
import { featureNames, summaryFeatures, type TrainingSummary } from '../../src/copilot/summary';
import type { HyperparamSpec } from '../../src/shared/hyperparams';
import { refusedUrl } from '../support/ollama-test-server';

const SPACE: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1e-1, scale: 'log', mutable: true, description: 'step size' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 0.5, scale: 'linear', mutable: true, description: 'entropy bonus' },
  { name: 'n_envs', type: 'int', default: 8, min: 1, max: 64, scale: 'log', mutable: false, description: 'envs' },
];

function summary(mean: number): TrainingSummary {
  return {
    algo: 'ppo', env: 'CartPole-v1', interval: 2, step: 4096, totalSteps: 10000, progress: 0.41, sps: 500,
    returns: { count: 5, mean, std: 3, min: mean - 5, max: mean + 5, slopePer1k: 1, bestSoFar: mean, lastInterval: mean, episodesThisInterval: 2, episodesTotal: 9 },
    diagnostics: { entropy: 0.6 }, values: { learning_rate: 3e-4, ent_coef: 0, n_envs: 8 }, recentDecisions: [],
  };
}

/**
 * One input feature (return_mean, standardised with mean 0, std 1), no hidden layer: logits are
 * w * x + b per (param, factor). learning_rate's ×2 logit grows with the return, "keep" is flat.
 */
function tinyWeights(): EmbeddedWeights {
  const factors = [0.5, 1, 2];
  // Outputs: lr×0.5, lr×1, lr×2, ent×0.5, ent×1, ent×2.
  return {
    format: 'hyperprompt-embedded/1',
    factors,
    models: { ppo: { features: ['return_mean'], mean: [0], std: [1], params: ['learning_rate', 'ent_coef'], layers: [{ inputs: 1, outputs: 6, w: [0, 0, 1, 0, 0, 0], b: [0, 1, 0, 0, 2, 0] }] } },
  };
}

function input(mean: number) {
  const s = summary(mean);
  return { summary: s, space: SPACE, values: s.values, features: summaryFeatures(s, SPACE), signal: new AbortController().signal };
}

test('the weights guard names what is wrong with a file', () => {
  const good = tinyWeights();
  assert.equal(checkEmbeddedWeights(good).ok, true);
  const bad = structuredClone(good);
  bad.models.ppo!.layers[0]!.w = [0, 0, 1];
  const c = checkEmbeddedWeights(bad);
  assert.equal(c.ok, false);
  assert.match(!c.ok ? c.error : '', /needs 6 finite weights/);
  const noKeep = { ...structuredClone(good), factors: [0.5, 2] };
  assert.match((checkEmbeddedWeights(noKeep) as { error: string }).error, /including 1/);
  assert.match((checkEmbeddedWeights({ format: 'x' }) as { error: string }).error, /meta train/);
  const nan = structuredClone(good) as unknown as { models: { ppo: { mean: unknown[] } } };
  nan.models.ppo.mean = [Number.NaN];
  assert.equal(checkEmbeddedWeights(nan).ok, false);
});

test('the forward pass and the decision follow the weights: keep until the ×2 logit beats keep', async () => {
  const ctl = new EmbeddedController({ weights: tinyWeights() });
  // return_mean enters as symlog(mean); at mean 0 the lr ×2 logit is 0 < keep's 1.
  const low = ctl.distributions('ppo', input(0).features, SPACE)!;
  const e = [Math.exp(0), Math.exp(1), Math.exp(0)];
  const z = e[0]! + e[1]! + e[2]!;
  assert.deepEqual(low[0]!.probs.map((p) => p.toFixed(6)), e.map((x) => (x / z).toFixed(6)));
  const keep = await ctl.decide(input(0));
  assert.deepEqual(keep.proposal!.changes, {});
  // At mean 100, symlog(100) ≈ 4.6: lr ×2 dominates; ent_coef's keep logit (2) still wins its head.
  const change = await ctl.decide(input(100));
  assert.deepEqual(change.proposal!.changes, { learning_rate: 6e-4 });
  assert.match(change.proposal!.rationale, /learning_rate ×2/);
});

test('an algorithm without a network gets a no-change proposal that says why', async () => {
  const ctl = new EmbeddedController({ weights: tinyWeights() });
  const i = input(50);
  const out = await ctl.decide({ ...i, summary: { ...i.summary, algo: 'dqn' } });
  assert.deepEqual(out.proposal!.changes, {});
  assert.match(out.proposal!.rationale, /no network for dqn/);
});

test('the shipped weights load in < 50 ms and decide in < 1 ms (medians) on a real PPO feature layout', async () => {
  const path = defaultWeightsPath();
  const w = loadEmbeddedWeights(path);
  assert.ok(w.models.ppo, 'the shipped file has a PPO network');
  const loads: number[] = [];
  let ctl: EmbeddedController | undefined;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    ctl = new EmbeddedController({ weightsPath: path });
    loads.push(performance.now() - t0);
  }
  // Every feature the network reads exists in the live layout of the PPO space it was trained on.
  const { spaceFor } = await import('../../src/rl/algos/index');
  const names = featureNames(spaceFor('ppo'));
  for (const f of w.models.ppo!.features) assert.ok(names.includes(f), `feature ${f} is in the live layout`);
  for (const f of w.fallback?.ppo?.features ?? []) assert.ok(names.includes(f), `fallback feature ${f} is in the live layout`);
  // Where the shipped file acts (bench/results/meta/cross-env, parts 4-5): its CartPole network on
  // CartPole; the two-env network on Pendulum (trained) and Acrobot (validated); nowhere else.
  const shipped = new EmbeddedController({ weightsPath: path });
  const pick = (env: string) => shipped.netFor('ppo', env);
  for (const [env, fallback] of [['CartPole-v1', false], ['Pendulum-v1', true], ['Acrobot-v1', true]] as const) assert.equal((pick(env) as { fallback?: boolean }).fallback, fallback, env);
  assert.ok('gated' in (pick('MountainCar-v0') as object), 'MountainCar: every value kept');
  const s = summary(40);
  const space = spaceFor('ppo');
  const values: Record<string, number | string | boolean> = {};
  for (const p of space) values[p.name] = p.default;
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const out = await ctl!.decide({ summary: { ...s, values }, space, values, features: summaryFeatures({ ...s, values }, space), signal: new AbortController().signal });
    times.push(performance.now() - t0);
    assert.ok(out.proposal);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  assert.ok(med(loads) < 50, `load median ${med(loads)} ms`);
  assert.ok(med(times) < 1, `decide median ${med(times)} ms`);
});

test('the Ollama controller falls back to the embedded one by default when the server refuses connections', async () => {
  const ctl = makeController('ollama', { ollama: { host: await refusedUrl(), timeoutMs: 2000, retries: 0 } });
  assert.equal((ctl.describe().fallback as { controller: string }).controller, 'embedded');
  const out = await ctl.decide(input(40));
  assert.equal(out.fallback?.controller, 'embedded');
  assert.equal(out.fallback?.failure, 'unreachable');
  assert.ok(out.proposal);
  // Naming a fallback still wins.
  const h = makeController('ollama', { ollama: { host: await refusedUrl() }, fallback: 'heuristic' });
  assert.equal((h.describe().fallback as { controller: string }).controller, 'heuristic');
});

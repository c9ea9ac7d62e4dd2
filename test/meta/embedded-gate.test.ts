// The embedded controller's training-range gate (models carry `ranges` from `meta train`):
// inside the range the network decides; outside it every value is kept, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEmbeddedWeights, EMBEDDED_FORMAT, EmbeddedController, type EmbeddedWeights } from '../../src/copilot/controllers/embedded';
import { featureNames, type TrainingSummary } from '../../src/copilot/summary';
import { resolveValues, spaceFor } from '../../src/rl/algos/index';
import { FACTORS } from '../../src/meta/targets';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { captureIO } from '../cli/io';

const space = spaceFor('ppo');

/** Rates learning_rate ×3 far above keep everywhere; gated to progress in [0.05, 0.35] when `gated`. */
function weights(gated: boolean): EmbeddedWeights {
  const features = featureNames(space).filter((f) => f !== 'sps');
  const k = FACTORS.length;
  return {
    format: EMBEDDED_FORMAT,
    factors: [...FACTORS],
    models: {
      ppo: {
        features,
        mean: features.map(() => 0),
        std: features.map(() => 1),
        ...(gated ? { ranges: { progress: [0.05, 0.35] as [number, number] } } : {}),
        params: ['learning_rate'],
        layers: [{ inputs: features.length, outputs: k, w: new Array(features.length * k).fill(0), b: FACTORS.map((f) => (f === 3 ? 5 : 0)) }],
      },
    },
  };
}

function input(progress: number, env = 'CartPole-v1') {
  const values = resolveValues('ppo', env);
  const features = featureNames(space).map((n) => (n === 'progress' ? progress : n === 'has_budget' ? 1 : 0));
  return { summary: { algo: 'ppo', env } as TrainingSummary, space, values, features, signal: new AbortController().signal };
}

test('inside the trained range the network decides; outside it every value is kept and the rationale says why', async () => {
  const c = new EmbeddedController({ weights: weights(true) });
  const inside = await c.decide(input(0.2));
  assert.ok(Math.abs((inside.proposal!.changes.learning_rate as number) - 3e-3) < 1e-12);
  const outside = await c.decide(input(0.8));
  assert.deepEqual(outside.proposal!.changes, {});
  assert.match(outside.proposal!.rationale, /progress is 0\.8, outside the range the model was trained on \(0\.05 to 0\.35\)/);
  // Without ranges (files from before the gate) nothing is gated.
  assert.deepEqual(Object.keys((await new EmbeddedController({ weights: weights(false) }).decide(input(0.8))).proposal!.changes), ['learning_rate']);
});

test('ranges are checked when a weights file is read', () => {
  const w = weights(true) as unknown as { models: { ppo: { ranges: unknown } } };
  assert.ok(checkEmbeddedWeights(w).ok);
  w.models.ppo.ranges = { progress: [0.5, 0.1] };
  assert.match((checkEmbeddedWeights(w) as { error: string }).error, /ranges\.progress must be \[min, max\]/);
});

test('a step that leaves the value where it is (ent_coef 0 × ⅓) is a keep, and the rationale says so', async () => {
  const w = weights(false);
  const m = w.models.ppo!;
  m.params = ['ent_coef'];
  m.layers[0]!.b = FACTORS.map((f) => (Math.abs(f - 1 / 3) < 1e-9 ? 5 : 0));
  const out = await new EmbeddedController({ weights: w }).decide(input(0.2));
  assert.deepEqual(out.proposal!.changes, {});
  assert.match(out.proposal!.rationale, /widest margin over keep is ent_coef ×0\.3333, which leaves it at 0/);
});

test('on an environment the model was not trained on every value is kept, unless anyEnv', async () => {
  const w = weights(false);
  w.models.ppo!.envs = ['CartPole-v1'];
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(w))).ok);
  const c = new EmbeddedController({ weights: w });
  assert.ok((await c.decide(input(0.2, 'CartPole-v1'))).proposal!.changes.learning_rate !== undefined);
  const other = await c.decide(input(0.2, 'Acrobot-v1'));
  assert.deepEqual(other.proposal!.changes, {});
  assert.match(other.messages?.[0] ?? '', /embedded: trained on CartPole-v1 only, so it keeps every value on Acrobot-v1/);
  assert.equal((await c.decide(input(0.3, 'Acrobot-v1'))).messages, undefined, 'said once per environment, not at every decision');
  assert.match(other.proposal!.rationale, /trained on CartPole-v1 only.*for Acrobot-v1 use an Ollama model or the heuristic controller/);
  assert.deepEqual(c.describe().envs, { ppo: ['CartPole-v1'] });
  const any = new EmbeddedController({ weights: w, anyEnv: true });
  assert.ok((await any.decide(input(0.2, 'Acrobot-v1'))).proposal!.changes.learning_rate !== undefined);
  // Files from before the gate (no envs) decide everywhere.
  assert.ok((await new EmbeddedController({ weights: weights(false) }).decide(input(0.2, 'Acrobot-v1'))).proposal!.changes.learning_rate !== undefined);
  const bad = JSON.parse(JSON.stringify(w)) as { models: { ppo: { envs: unknown } } };
  bad.models.ppo.envs = [];
  assert.match((checkEmbeddedWeights(bad) as { error: string }).error, /envs must list the environment ids/);
});

test('a fallback network decides where the first one does not act (its envs and validatedEnvs); elsewhere every value is kept', async () => {
  const w = weights(false);
  w.models.ppo!.envs = ['CartPole-v1'];
  // The fallback rates clip_range ×3 above keep everywhere.
  const fb = JSON.parse(JSON.stringify(w.models.ppo)) as EmbeddedWeights['models']['ppo'] & object;
  fb.params = ['clip_range'];
  fb.envs = ['CartPole-v1', 'Pendulum-v1'];
  fb.validatedEnvs = ['Acrobot-v1'];
  w.fallback = { ppo: fb };
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(w))).ok);
  const c = new EmbeddedController({ weights: w });
  assert.deepEqual(Object.keys((await c.decide(input(0.2, 'CartPole-v1'))).proposal!.changes), ['learning_rate'], 'the first network where it acts');
  for (const env of ['Pendulum-v1', 'Acrobot-v1']) {
    const out = await c.decide(input(0.2, env));
    assert.deepEqual(Object.keys(out.proposal!.changes), ['clip_range'], `the fallback on ${env}`);
    assert.match(out.proposal!.rationale, new RegExp(`^The embedded model's network for ${env} \\(trained on CartPole-v1, Pendulum-v1\\) rates clip_range ×3`));
  }
  const other = await c.decide(input(0.2, 'MountainCar-v0'));
  assert.deepEqual(other.proposal!.changes, {});
  assert.match(other.proposal!.rationale, /acts only on CartPole-v1, Pendulum-v1, Acrobot-v1 \(where it was trained or measured\)/);
  assert.match(other.messages?.[0] ?? '', /^embedded: acts only on CartPole-v1, Pendulum-v1, Acrobot-v1 \(where it was trained or measured\), so it keeps every value on MountainCar-v0/);
  assert.deepEqual(c.describe().fallbackEnvs, { ppo: ['CartPole-v1', 'Pendulum-v1', 'Acrobot-v1'] });
  // anyEnv: the first network decides everywhere (as before fallbacks existed).
  assert.deepEqual(Object.keys((await new EmbeddedController({ weights: w, anyEnv: true }).decide(input(0.2, 'MountainCar-v0'))).proposal!.changes), ['learning_rate']);
  // Checked when read.
  const orphan = JSON.parse(JSON.stringify(w)) as { models: Record<string, unknown>; fallback: Record<string, unknown> };
  orphan.fallback.dqn = orphan.fallback.ppo;
  assert.match((checkEmbeddedWeights(orphan) as { error: string }).error, /fallback\.dqn has no first network \(models\.dqn\) to fall back from/);
  const untrained = JSON.parse(JSON.stringify(w)) as { fallback: { ppo: { envs?: unknown } } };
  delete untrained.fallback.ppo.envs;
  assert.match((checkEmbeddedWeights(untrained) as { error: string }).error, /fallback\.ppo\.validatedEnvs needs \.envs/);
});

test('hyperprompt meta combine: a first file and a fallback one become one checked file; mistakes say what to do', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hp-combine-'));
  const first = weights(false);
  first.models.ppo!.envs = ['CartPole-v1'];
  const second = weights(false);
  second.models.ppo!.envs = ['CartPole-v1', 'Pendulum-v1'];
  second.models.ppo!.params = ['clip_range'];
  writeFileSync(join(root, 'first.json'), JSON.stringify(first));
  writeFileSync(join(root, 'second.json'), JSON.stringify(second));
  let io = captureIO(root);
  assert.equal(await main(['meta', 'combine', '--weights', 'first.json', '--fallback', 'second.json', '--validated-on', 'Acrobot-v1', '--out', 'out/combined.json'], io), 0, io.err());
  assert.match(io.out(), /fallback on \{"ppo":\["CartPole-v1","Pendulum-v1","Acrobot-v1"\]\}/);
  const combined = JSON.parse(readFileSync(join(root, 'out', 'combined.json'), 'utf8')) as EmbeddedWeights;
  assert.ok(checkEmbeddedWeights(combined).ok);
  assert.deepEqual(combined.fallback?.ppo?.validatedEnvs, ['Acrobot-v1']);
  assert.deepEqual(Object.keys((await new EmbeddedController({ weights: combined }).decide(input(0.2, 'Acrobot-v1'))).proposal!.changes), ['clip_range']);
  io = captureIO(root);
  assert.equal(await main(['meta', 'combine', '--weights', 'first.json', '--out', 'x.json'], io), 2);
  assert.match(io.err(), /meta combine needs --weights FILE \(the first networks\), --fallback FILE and --out FILE/);
  const anywhere = weights(false);
  writeFileSync(join(root, 'anywhere.json'), JSON.stringify(anywhere));
  io = captureIO(root);
  assert.equal(await main(['meta', 'combine', '--weights', 'first.json', '--fallback', 'anywhere.json', '--validated-on', 'Acrobot-v1', '--out', 'x.json'], io), 2);
  assert.match(io.err(), /names no training environments \("envs"\), so it already acts everywhere/);
});

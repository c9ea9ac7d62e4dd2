// The v2 collector's lookahead (src/meta/collect.ts, a collect suite's `$oracle`): every
// parameter × every step after the co-pilot's safety rules, branches scored after their first
// rollout, a minimum gain over keep, and splits by seed; then one real tiny collection job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../../src/bench/engine';
import { resolveValues, spaceFor } from '../../src/rl/algos/index';
import { chooseTarget, collectJob, DEFAULT_META_ORACLE, enumerateCandidates } from '../../src/meta/collect';
import { loadCollectPlan, parseMetaOracle, splitOf } from '../../src/meta/collect-suite';
import { exampleGains, exampleLabels, FACTORS, KEEP, nearestClass, scaleFreeFeatureNames } from '../../src/meta/targets';
import { DEFAULT_TRAIN, trainEmbedded } from '../../src/meta/train';
import { checkEmbeddedWeights } from '../../src/copilot/controllers/embedded';

const space = spaceFor('ppo');
const params = ['learning_rate', 'ent_coef', 'clip_range'];

test('enumerate: keep first, then every parameter × step, safety-clamped, no no-ops; the label is the step proposed', () => {
  const cur = { ...resolveValues('ppo', 'CartPole-v1'), learning_rate: 1e-4, ent_coef: 0.5, clip_range: 0.02 };
  const c = enumerateCandidates(cur, space, params, [1 / 3, 3], true);
  assert.equal(c[0]!.change, null);
  assert.deepEqual(c[0]!.values, cur);
  const by = (p: string, f: number) => c.find((x) => x.change?.param === p && x.change.factor === f)!;
  assert.ok(Math.abs((by('learning_rate', 3).values.learning_rate as number) - 3e-4) < 1e-12);
  // ent_coef moves by ratios (linear on [0, 1], `steps: 'ratio'`): 0.5 × ⅓ is one step.
  assert.ok(Math.abs((by('ent_coef', 1 / 3).values.ent_coef as number) - 0.5 / 3) < 1e-12);
  assert.ok(Math.abs((by('clip_range', 3).values.clip_range as number) - 0.06) < 1e-12);
  assert.equal(c.length, 7);
  // clip_range is linear on [0.001, 1]: one decision moves it by at most 0.0999, so 0.6 × ⅓
  // becomes 0.5001; without the safety rules the raw step is tried.
  const wide = { ...cur, clip_range: 0.6 };
  const clipDown = (safety: boolean) => enumerateCandidates(wide, space, params, [1 / 3], safety).find((x) => x.change?.param === 'clip_range')!.values.clip_range as number;
  assert.ok(Math.abs(clipDown(true) - 0.5001) < 1e-12);
  assert.ok(Math.abs(clipDown(false) - 0.2) < 1e-12);
  // ent_coef 0 × ⅓ stays 0: not a candidate.
  const tuned = enumerateCandidates(resolveValues('ppo', 'CartPole-v1'), space, params, [1 / 3, 3], true);
  assert.equal(tuned.filter((x) => x.change?.param === 'ent_coef').length, 1);
  assert.equal(new Set(tuned.map((x) => JSON.stringify(x.values))).size, tuned.length);
});

test('chooseTarget: a change must beat keep by minGain × |keep|; nulls lose; ties keep', () => {
  assert.equal(chooseTarget([100, 104, 103], 0.05), 0);
  assert.equal(chooseTarget([100, 106, 103], 0.05), 1);
  assert.equal(chooseTarget([100, 104, 103], 0), 1);
  assert.equal(chooseTarget([null, 5, 7], 0.05), 2);
  assert.equal(chooseTarget([10, 10, 10], 0), 0);
  // The wide classes exist and map to themselves.
  assert.equal(FACTORS[nearestClass(3)], 3);
  assert.ok(Math.abs(FACTORS[nearestClass(1 / 3)]! - 1 / 3) < 1e-12);
  assert.equal(FACTORS[KEEP], 1);
});

test('$oracle is checked, defaults are the bench oracle, and splits can go by seed', () => {
  assert.deepEqual(parseMetaOracle(undefined, 'f'), DEFAULT_META_ORACLE);
  assert.deepEqual(parseMetaOracle({ factors: [0.5, 2], minGain: 0.1 }, 'f'), { ...DEFAULT_META_ORACLE, factors: [0.5, 2], minGain: 0.1 });
  assert.throws(() => parseMetaOracle({ factors: [1] }, 'f'), /factors/);
  assert.throws(() => parseMetaOracle({ scoreFrom: 'later' }, 'f'), /scoreFrom/);
  assert.throws(() => parseMetaOracle({ horizon: 3 }, 'f'), /unknown field "\$oracle.horizon"/);
  const dir = mkdtempSync(join(tmpdir(), 'hp-collect2-'));
  const file = join(dir, 'suite.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 't',
      description: 't',
      interval: 512,
      seeds: 2,
      tasks: [{ env: 'CartPole-v1', algo: 'ppo', steps: 1536 }],
      starts: ['tuned', 'lr-div10'],
      controllers: ['oracle-lookahead'],
      options: { 'oracle-lookahead': { candidates: 2, horizon: 768, params } },
      $oracle: { factors: [1 / 3, 3], enumerate: true, safety: true, scoreFrom: 'after-first-update', minGain: 0.05 },
      $splits: { 'seed:1': 'validation', 'CartPole-v1.ppo.tuned': 'heldout' },
    }),
  );
  const plan = loadCollectPlan(file, dir);
  assert.equal(plan.oracle.enumerate, true);
  const split = Object.fromEntries(plan.jobs.map((j) => [`${j.start}.s${j.seed}`, splitOf(j, plan.splits)]));
  assert.deepEqual(split, { 'tuned.s0': 'heldout', 'tuned.s1': 'heldout', 'lr-div10.s0': 'train', 'lr-div10.s1': 'validation' });
});

test('a real v2 collection job: every step tried at every decision, branches differ, every head labelled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-collect2-'));
  const file = join(dir, 'suite.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 't',
      description: 't',
      interval: 512,
      seeds: 1,
      tasks: [{ env: 'CartPole-v1', algo: 'ppo', steps: 1024 }],
      // The tuned start: from a 10× lower learning rate two updates move the policy too little to flip a sampled action, and every branch ties.
      starts: ['tuned'],
      controllers: ['oracle-lookahead'],
      options: { 'oracle-lookahead': { candidates: 2, horizon: 768, params } },
      $oracle: { factors: [1 / 3, 3], enumerate: true, safety: true, scoreFrom: 'after-first-update', minGain: 0 },
    }),
  );
  const plan = loadCollectPlan(file, dir);
  const engine = await loadEngine('wasm');
  const r = await collectJob(plan.jobs[0]!, engine, 'train', plan.oracle);
  assert.equal(r.examples.length, 1);
  for (const e of r.examples) {
    // Keep; lr ×⅓ and ×3, clip ×⅓ and ×3, ent_coef (0) ×3 only.
    assert.equal(e.candidates.length, 6);
    // The first rollout is the same in every branch and is not scored, so the steps show.
    assert.ok(new Set(e.candidates.map((c) => c.score)).size > 1, JSON.stringify(e.candidates.map((c) => c.score)));
    const labels = exampleLabels(e, params);
    assert.ok(labels.every((l) => l >= 0), 'every parameter was tried, so every head has a label');
    const scores = e.candidates.map((c) => c.score ?? -Infinity);
    assert.equal(scores[e.best], Math.max(...scores));
    // Gain targets: every tried step's relative gain over keep, minus the cost; keep is 0.
    const gains = exampleGains(e, params, 0.02);
    const keep = e.candidates[0]!.score!;
    const lrUp = e.candidates.find((c) => c.change?.param === 'learning_rate' && c.change.factor === 3)!;
    assert.ok(Math.abs(gains[0]![nearestClass(3)]! - ((lrUp.score! - keep) / Math.max(1, Math.abs(keep)) - 0.02)) < 1e-12);
    assert.equal(gains[0]![KEEP], 0);
    // Against CartPole's reference range (475 − 22.2) instead of keep's score: the same on every env.
    const ref = exampleGains(e, params, 0.02, 'reference');
    assert.ok(Math.abs(ref[0]![nearestClass(3)]! - ((lrUp.score! - keep) / (475 - 22.2) - 0.02)) < 1e-12);
    const unknown = exampleGains({ ...e, task: { ...e.task, env: 'MyEnv-v0' } }, params, 0.02, 'reference');
    assert.deepEqual(unknown, gains, 'an env without references falls back to keep\'s score');
    assert.equal(gains[1]![nearestClass(1 / 3)], null, 'ent_coef 0 × ⅓ was not tried');
  }
  // Trained on gains, the network's outputs are those gains (scaled): with this little data it can fit them.
  const { weights } = await trainEmbedded(r.examples, { ...DEFAULT_TRAIN, target: 'gain', l2: 0, epochs: 300, hidden: 8 });
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(weights))).ok);
  // A scale-free model reads only features that carry no reward scale.
  const sf = await trainEmbedded(r.examples, { ...DEFAULT_TRAIN, target: 'gain', epochs: 20, hidden: 8, featureSet: 'scale-free' });
  const model = sf.weights.models.ppo!;
  assert.deepEqual([...model.features].sort(), [...scaleFreeFeatureNames(model.params)].sort());
  assert.deepEqual(model.envs, [...new Set(r.examples.map((e) => e.task.env))].sort(), 'the model names the environments it was trained on');
  for (const f of ['return_mean', 'diag_valueLoss', 'episodes_this_interval', 'hp_n_envs', 'diag_entropy']) assert.ok(!model.features.includes(f), f);
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(sf.weights))).ok);
  // Examples collected before the scale-free features existed are refused with what to do.
  const old = r.examples.map((e) => {
    const keep = e.featureNames.map((n, i) => [n, i] as const).filter(([n]) => !n.startsWith('rel_') && n !== 'has_rel' && n !== 'entropy_ratio');
    return { ...e, featureNames: keep.map(([n]) => n), features: keep.map(([, i]) => e.features[i]!) };
  });
  // Or a list of names; a name the examples do not have is refused with the names they do.
  const listed = await trainEmbedded(r.examples, { ...DEFAULT_TRAIN, epochs: 5, hidden: 4, featureSet: ['diag_approxKl', 'progress'] });
  assert.deepEqual(listed.weights.models.ppo!.features, ['progress', 'diag_approxKl']);
  await assert.rejects(trainEmbedded(r.examples, { ...DEFAULT_TRAIN, featureSet: ['progress', 'approx_kl'] }), /no feature named approx_kl in the ppo examples; the examples have: progress, has_budget/);
  await assert.rejects(trainEmbedded([...r.examples, ...old], { ...DEFAULT_TRAIN, featureSet: 'scale-free' }), /1 of the 2 ppo train examples lack some of the chosen features \(first: .*without has_rel, rel_improvement/);
  await assert.rejects(trainEmbedded(old, { ...DEFAULT_TRAIN, featureSet: 'scale-free' }), /lack scale-free features \(has_rel, rel_improvement.*collect the dataset again/);
});

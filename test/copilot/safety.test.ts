// The safety rules, one test each (src/copilot/safety.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampProposal } from '../../src/copilot/safety';
import { SPACE, VALUES } from './fixtures';

const rules = (r: ReturnType<typeof clampProposal>) => r.notes.map((n) => `${n.key}:${n.rule}`);

test('rule 1: unknown keys are dropped and reported', () => {
  const r = clampProposal({ warp_drive: 9, learning_rate: 2e-4 }, SPACE, VALUES);
  assert.deepEqual(r.values, { learning_rate: 2e-4 });
  assert.deepEqual(rules(r), ['warp_drive:unknown']);
  assert.match(r.notes[0]!.message, /not a hyperparameter.*known: learning_rate/);
});

test('rule 2: immutable keys are refused', () => {
  const r = clampProposal({ n_envs: 16 }, SPACE, VALUES);
  assert.deepEqual(r.values, {});
  assert.deepEqual(rules(r), ['n_envs:immutable']);
});

test('rule 3: non-finite and non-numeric values are rejected', () => {
  const r = clampProposal(
    { learning_rate: Number.NaN, clip_range: Infinity, n_epochs: '12', gamma: null, normalize_advantage: 'yes', ent_coef: { v: 1 } },
    SPACE,
    VALUES,
  );
  assert.deepEqual(r.values, {});
  assert.deepEqual(rules(r).sort(), ['clip_range:invalid', 'ent_coef:invalid', 'gamma:invalid', 'learning_rate:invalid', 'n_epochs:invalid', 'normalize_advantage:invalid']);
});

test('rule 4: values are clipped to the bounds', () => {
  // gamma bound 0.9999 is within one linear step (0.00999) of 0.99? no: use a current value near the bound.
  const r = clampProposal({ gamma: 1.5, clip_range: 0.01 }, SPACE, { ...VALUES, gamma: 0.995, clip_range: 0.06 });
  assert.equal(r.values.gamma, 0.9999);
  assert.equal(r.values.clip_range, 0.05);
  assert.deepEqual(rules(r).sort(), ['clip_range:clipped', 'gamma:clipped']);
});

test('rule 5: at most ×/÷3 per decision on a log scale, a tenth of the range on a linear one', () => {
  const r = clampProposal({ learning_rate: 1e-2, clip_range: 0.45, ent_coef: 0.05 }, SPACE, VALUES);
  assert.ok(Math.abs((r.values.learning_rate as number) - 9e-4) < 1e-15, 'log scale: 3e-4 × 3');
  assert.ok(Math.abs((r.values.clip_range as number) - 0.245) < 1e-12, 'linear: 0.2 + (0.5-0.05)/10');
  assert.ok(Math.abs((r.values.ent_coef as number) - 0.01) < 1e-12, 'linear: 0 + 0.1/10');
  const down = clampProposal({ learning_rate: 1e-6 }, SPACE, VALUES);
  assert.ok(Math.abs((down.values.learning_rate as number) - 1e-4) < 1e-15, 'log scale: 3e-4 ÷ 3');
  assert.deepEqual(rules(down), ['learning_rate:step-limited']);
  const custom = clampProposal({ learning_rate: 1e-2 }, SPACE, VALUES, { maxLogFactor: 2, maxLinearFraction: 0.1 });
  assert.ok(Math.abs((custom.values.learning_rate as number) - 6e-4) < 1e-15, 'the factor is configurable');
});

test('rule 6: integers are rounded', () => {
  const r = clampProposal({ n_epochs: 12.6 }, SPACE, VALUES);
  assert.equal(r.values.n_epochs, 13);
  assert.deepEqual(rules(r), ['n_epochs:rounded']);
  // step-limited first (10 + 4.9 = 14.9), then rounded
  const big = clampProposal({ n_epochs: 50 }, SPACE, VALUES);
  assert.equal(big.values.n_epochs, 15);
  assert.deepEqual(rules(big), ['n_epochs:step-limited', 'n_epochs:rounded']);
});

test('unchanged values produce nothing to apply; bools and choices pass when valid', () => {
  const r = clampProposal({ learning_rate: 3e-4, normalize_advantage: false }, SPACE, VALUES);
  assert.deepEqual(r.values, { normalize_advantage: false });
  assert.deepEqual(rules(r), ['learning_rate:unchanged']);
  const choice = clampProposal({ act: 'relu', act2: 'gelu' }, [{ name: 'act', type: 'choice', default: 'tanh', choices: ['tanh', 'relu'], scale: 'linear', mutable: true, description: '' }, { name: 'act2', type: 'choice', default: 'tanh', choices: ['tanh', 'relu'], scale: 'linear', mutable: true, description: '' }], { act: 'tanh', act2: 'tanh' });
  assert.deepEqual(choice.values, { act: 'relu' });
  assert.deepEqual(rules(choice), ['act2:invalid']);
});

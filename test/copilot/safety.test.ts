// The safety rules, one test each (src/copilot/safety.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampProposal } from '../../src/copilot/safety';
import { systemPrompt } from '../../src/copilot/prompt';
import { SPACE, VALUES } from './fixtures';
import { resolveValues, spaceFor } from '../../src/rl/algos';

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

test("rule 5, steps 'ratio': ×/÷3 per decision on a linear scale that includes 0, with 0 and the floor (1% of the range) one step apart", () => {
  const space = spaceFor('ppo'); // ent_coef: linear on [0, 1], steps 'ratio', floor 0.01
  const at = (cur: number, proposed: number) => clampProposal({ ent_coef: proposed }, space, { ...resolveValues('ppo', 'CartPole-v1'), ent_coef: cur });
  const near = (r: ReturnType<typeof clampProposal>, v: number) => assert.ok(Math.abs((r.values.ent_coef as number) - v) < 1e-12, `${String(r.values.ent_coef)} ≠ ${v}`);
  near(at(0.5, 0), 0.5 / 3); // a poor start comes down ×⅓ per decision, not by a tenth of the range (0.4)
  near(at(0.5, 0.1), 0.5 / 3);
  near(at(0.01, 0.5), 0.03); // and a common value cannot jump ×11 (0.01 → 0.11) in one decision
  near(at(0.02, 0), 0); // ÷3 would go below the floor: 0 is one step away
  near(at(0, 0.05), 0.01); // from 0: up to the floor
  const limited = at(0.5, 0);
  assert.deepEqual(rules(limited), ['ent_coef:step-limited']);
  assert.match(limited.notes[0]!.message, /×\/÷3, or between 0 and 0\.01/);
  assert.deepEqual(rules(at(0.03, 0.015)), [], 'within a step: applied as proposed');
  // A plain linear parameter with min 0 keeps the tenth-of-range rule.
  const vf = clampProposal({ vf_coef: 0 }, space, { ...resolveValues('ppo', 'CartPole-v1'), vf_coef: 5 });
  assert.equal(vf.values.vf_coef, 4);
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

test('the system prompt tells the model how each parameter moves, as the rules above apply it', () => {
  const p = systemPrompt('ppo', spaceFor('ppo'));
  assert.match(p, /- ent_coef \(changeable\): float in \[0, 1\], linear scale, moves by ratios \(0 or at least 0\.01\)\./);
  assert.match(p, /- vf_coef \(changeable\): float in \[0, 10\], linear scale\./);
  assert.match(p, /or one that moves by ratios, by at most ×3 or ÷3/);
});

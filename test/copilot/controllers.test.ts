import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeuristicController, ScheduleController, StaticController, checkScheduleConfig, makeController, parseScheduleFlag, scheduleValue } from '../../src/copilot/controllers/index';
import type { ControllerInput } from '../../src/copilot/controllers/types';
import { TrainingHistory, summaryFeatures, type TrainingSummary } from '../../src/copilot/summary';
import type { HyperparamValues } from '../../src/shared/hyperparams';
import { SPACE, VALUES, interval } from './fixtures';
import { clampProposal } from '../../src/copilot/safety';
import { resolveValues, spaceFor } from '../../src/rl/algos';

function input(summary: TrainingSummary, values: HyperparamValues = VALUES): ControllerInput {
  return { summary, space: SPACE, values, features: summaryFeatures(summary, SPACE), signal: new AbortController().signal };
}

test('static never proposes a change', async () => {
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  const out = await new StaticController().decide(input(h.push(interval(0, [10]))));
  assert.deepEqual(out.proposal?.changes, {});
  assert.deepEqual(new StaticController().describe(), { controller: 'static' });
});

test('schedules: linear, cosine and step values of progress', () => {
  assert.equal(scheduleValue({ kind: 'linear', from: 1, to: 0 }, 0.25), 0.75);
  assert.equal(scheduleValue({ kind: 'linear', from: 1, to: 0, start: 0.5, end: 1 }, 0.25), 1);
  assert.ok(Math.abs(scheduleValue({ kind: 'cosine', from: 1, to: 0 }, 0.5) - 0.5) < 1e-12);
  assert.ok(Math.abs(scheduleValue({ kind: 'cosine', from: 1, to: 0 }, 0.25) - (1 + Math.cos(Math.PI / 4)) / 2) < 1e-12);
  assert.equal(scheduleValue({ kind: 'step', from: 1, factor: 0.5, every: 0.25 }, 0.6), 0.25);
  assert.equal(scheduleValue({ kind: 'linear', from: 1, to: 0 }, 2), 0);
});

test('a schedule controller proposes the scheduled values and serialises to JSON', async () => {
  const cfg = parseScheduleFlag('learning_rate=linear:0.001:0.0001,n_epochs=step:10:0.5:0.5', SPACE);
  assert.ok(cfg.ok);
  const c = new ScheduleController(cfg.value);
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  h.push(interval(0, [10]));
  const out = await c.decide(input(h.push(interval(4, [10]))));
  assert.ok(Math.abs((out.proposal!.changes.learning_rate as number) - 0.00055) < 1e-12);
  assert.equal(out.proposal!.changes.n_epochs, 5);
  const json = JSON.parse(JSON.stringify(c.describe()));
  assert.deepEqual(json.schedules.learning_rate, { kind: 'linear', from: 0.001, to: 0.0001 });
  assert.equal(checkScheduleConfig({ n_envs: { kind: 'linear', from: 1, to: 2 } }, SPACE).ok, false);
  assert.equal(checkScheduleConfig({ warp: { kind: 'linear', from: 1, to: 2 } }, SPACE).ok, false);
  assert.equal(checkScheduleConfig({ learning_rate: { kind: 'exp', from: 1 } }, SPACE).ok, false);
  assert.equal(parseScheduleFlag('learning_rate=linear', SPACE).ok, false);
});

test('the default schedule decays learning_rate and clip_range from their current values', async () => {
  const c = new ScheduleController();
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  const out = await c.decide(input(h.push(interval(9, [10]))));
  assert.ok(Math.abs((out.proposal!.changes.learning_rate as number) - 3e-5) < 1e-15);
  assert.ok(Math.abs((out.proposal!.changes.clip_range as number) - 0.1) < 1e-12);
});

test("a schedule replaces the parameter's own linear schedule (PPO lr_schedule / clip_range_schedule) instead of compounding with it", async () => {
  const space = spaceFor('ppo');
  const values = resolveValues('ppo', 'CartPole-v1'); // the zoo preset: lr_schedule and clip_range_schedule linear
  assert.equal(values.lr_schedule, 'linear');
  const c = new ScheduleController({ learning_rate: { kind: 'linear', from: 1e-3, to: 1e-4 } });
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  const decide = async (v: HyperparamValues) => (await c.decide({ summary: h.push(interval(4, [10])), space, values: v, features: [], signal: new AbortController().signal })).proposal!;
  const first = await decide(values);
  assert.equal(first.changes.lr_schedule, 'constant');
  assert.equal(first.changes.clip_range_schedule, undefined, 'clip_range is not scheduled here: its own schedule stays');
  assert.match(first.rationale, /lr_schedule linear → constant \(this schedule replaces it; both would compound\)/);
  assert.deepEqual(clampProposal(first.changes, space, values).values.lr_schedule, 'constant', 'the safety rules let it through');
  const later = await decide({ ...values, lr_schedule: 'constant' });
  assert.equal(later.changes.lr_schedule, undefined);
});

test('heuristic kl-high: KL far above target lowers the learning rate', async () => {
  const c = new HeuristicController();
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  const out = await c.decide(input(h.push(interval(0, [10], { diagnostics: { 'losses/approx_kl': 0.2 } }))));
  assert.ok(Math.abs((out.proposal!.changes.learning_rate as number) - 1.5e-4) < 1e-15);
  assert.match(out.proposal!.rationale, /approx KL 0.2/);
});

test('heuristic entropy-collapse: entropy falling early raises ent_coef', async () => {
  const c = new HeuristicController();
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  await c.decide(input(h.push(interval(0, [10], { diagnostics: { 'losses/entropy': 0.69 } }))));
  const out = await c.decide(input(h.push(interval(1, [10], { diagnostics: { 'losses/entropy': 0.1 } }))));
  assert.ok(Math.abs((out.proposal!.changes.ent_coef as number) - 0.01) < 1e-12);
  const out2 = await c.decide(input(h.push(interval(2, [10], { diagnostics: { 'losses/entropy': 0.1 } })), { ...VALUES, ent_coef: 0.01 }));
  assert.equal(out2.proposal!.changes.ent_coef, undefined, 'cooldown: the rule waits before firing again');
});

test('heuristic loss-explode: value loss far above its median lowers the learning rate', async () => {
  const c = new HeuristicController();
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  for (let i = 0; i < 3; i++) await c.decide(input(h.push(interval(i, [10], { diagnostics: { 'losses/value_loss': 1 + i * 0.1 } }))));
  const out = await c.decide(input(h.push(interval(3, [10], { diagnostics: { 'losses/value_loss': 50 } }))));
  assert.ok(Math.abs((out.proposal!.changes.learning_rate as number) - 1.5e-4) < 1e-15);
  assert.match(out.proposal!.rationale, /unstable/);
});

test('heuristic plateau: a flat, noisy return decays the learning rate; a rising one does not', async () => {
  const flat = new HeuristicController();
  const h = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  let out;
  for (let i = 0; i < 6; i++) out = await flat.decide(input(h.push(interval(i, [20, 40, 30, 25, 35]))));
  assert.ok(Math.abs((out!.proposal!.changes.learning_rate as number) - 2.1e-4) < 1e-15, JSON.stringify(out!.proposal));
  const rising = new HeuristicController();
  const h2 = new TrainingHistory('ppo', 'CartPole-v1', 10_000);
  for (let i = 0; i < 6; i++) out = await rising.decide(input(h2.push(interval(i, [i * 50 + 10, i * 50 + 12]))));
  assert.deepEqual(out!.proposal!.changes, {});
  assert.match(out!.proposal!.rationale, /no rule fired/);
});

test('makeController builds each controller by name; ollama gets the embedded fallback by default', () => {
  assert.equal(makeController('static').name, 'static');
  assert.equal(makeController('schedule').name, 'schedule');
  assert.equal(makeController('heuristic').name, 'heuristic');
  const o = makeController('ollama', { ollama: { host: 'http://127.0.0.1:1' } });
  assert.equal(o.name, 'ollama');
  assert.equal((o.describe().fallback as { controller: string }).controller, 'embedded');
});

// The co-pilot on a terminal: answers, mode switches and undo read from a line stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { HeuristicController } from '../../src/copilot/controllers/index';
import { CopilotSession } from '../../src/copilot/session';
import { TerminalCopilot, parseEditValues } from '../../src/copilot/terminal';
import type { HyperparamValues } from '../../src/shared/hyperparams';
import { SPACE, VALUES, interval } from './fixtures';

function setup(mode: 'ask' | 'auto') {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (b) => (text += b));
  const applied: HyperparamValues[] = [];
  const terminal = new TerminalCopilot(input, output);
  const session = new CopilotSession({
    controller: new HeuristicController(),
    mode,
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: { ...VALUES },
    apply: (v) => void applied.push(v),
    onEvent: (e) => terminal.handle(e),
  });
  terminal.bind(session);
  const say = async (line: string): Promise<void> => {
    input.write(`${line}\n`);
    await new Promise((r) => setTimeout(r, 20));
    await session.idle();
  };
  return { session, terminal, applied, say, out: () => text };
}

test('ask on a terminal: the proposal is printed, "e" edits through the safety rules', async () => {
  const t = setup('ask');
  t.session.onInterval(interval(0, [10], { diagnostics: { 'losses/approx_kl': 0.3 } }));
  await t.session.idle();
  assert.match(t.out(), /co-pilot proposal \(interval 0, heuristic\):\n {2}learning_rate 3e-4 → 1.5e-4\n {2}why: Heuristic rules: approx KL 0.3/);
  await t.say('e learning_rate=0.5');
  assert.deepEqual(t.applied, [{ learning_rate: 9e-4 }]);
  assert.match(t.out(), /safety step-limited/);
  await t.say('a');
  assert.match(t.out(), /no proposal is waiting/);
  await t.say('maybe');
  await t.session.close();
  t.terminal.dispose();
});

test('"mode" switches mid-run and "undo" reverts the last applied change once', async () => {
  const t = setup('auto');
  t.session.onInterval(interval(0, [10], { diagnostics: { 'losses/approx_kl': 0.3 } }));
  await t.session.idle();
  assert.deepEqual(t.applied, [{ learning_rate: 1.5e-4 }]);
  await t.say('undo');
  assert.deepEqual(t.applied.at(-1), { learning_rate: 3e-4 });
  await t.say('undo');
  assert.match(t.out(), /nothing to undo/);
  await t.say('mode off');
  assert.equal(t.session.mode, 'off');
  t.session.onInterval(interval(1, [10], { diagnostics: { 'losses/approx_kl': 0.3 } }));
  await t.session.idle();
  assert.equal(t.applied.length, 2, 'off: no decisions');
  await t.say('mode sideways');
  assert.match(t.out(), /write "mode off", "mode ask" or "mode auto"/);
  await t.session.close();
  t.terminal.dispose();
});

test("a controller's keep is one line with its reason; a change is not printed twice", async () => {
  const t = setup('auto');
  t.session.onInterval(interval(0, [10])); // nothing fires: the heuristic keeps
  await t.session.idle();
  assert.deepEqual(t.applied, []);
  assert.match(t.out(), /^co-pilot: interval 0 \(heuristic, no change\): .+\n$/);
  t.session.onInterval(interval(1, [10], { diagnostics: { 'losses/approx_kl': 0.3 } }));
  await t.session.idle();
  assert.equal(t.out().match(/no change\)/g)?.length, 1, 'an applied change prints its own line, not a keep');
  assert.match(t.out(), /co-pilot: learning_rate 3e-4 → 1.5e-4 \(auto\)/);
  await t.session.close();
  t.terminal.dispose();
});

test('edit values parse as numbers, bools or strings', () => {
  assert.deepEqual(parseEditValues('a=1e-4 b=true c=relu,d=3'), { a: 1e-4, b: true, c: 'relu', d: 3 });
  assert.throws(() => parseEditValues('oops'), /not name=value/);
});

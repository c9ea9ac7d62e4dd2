// The fuzzer itself: deterministic from its seed, its valid examples really are valid, and
// its properties catch the bugs they are meant to (checked against deliberately broken
// parsers, so a property that can never fail would show up here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dice, inputSeed } from './fuzz/random';
import { runTarget, type Target } from './fuzz/runner';
import { TARGETS } from './fuzz/targets';
import * as F from './fuzz/fixtures';
import { checkHostCommand, checkTrainerMessage, checkTrainerRunConfig } from '../../src/shared/protocol';
import { checkRunFile } from '../../src/runs/run-file';
import { checkCompareMessage, checkHostToCompare, checkHostToPanel, checkPanelMessage } from '../../src/shared/webview-protocol';
import { checkProposal } from '../../src/copilot/proposal';
import { checkSpec } from '../../src/shared/hyperparams';
import { deepNest, toText } from './fuzz/values';
import { mutateOne } from './fuzz/mutate';

test('generation is a pure function of (seed, target, index)', () => {
  for (const t of TARGETS) {
    const a = t.generate(new Dice(inputSeed(42, t.name, 17)));
    const b = t.generate(new Dice(inputSeed(42, t.name, 17)));
    assert.equal(toText(a.input), toText(b.input), t.name);
    assert.deepEqual(a.path, b.path);
  }
  assert.notEqual(inputSeed(42, 'trainer-line', 1), inputSeed(42, 'trainer-line', 2));
  assert.notEqual(inputSeed(42, 'trainer-line', 1), inputSeed(43, 'trainer-line', 1));
});

test('every valid example passes its guard (mutation starts from valid values)', () => {
  for (const m of F.trainerMessages()) assert.equal(checkTrainerMessage(m).ok, true, JSON.stringify(m));
  for (const m of F.hostCommands()) assert.equal(checkHostCommand(m).ok, true);
  assert.equal(checkTrainerRunConfig(F.trainerRunConfig()).ok, true);
  for (const f of F.runFiles()) assert.equal(checkRunFile(f).ok, true, JSON.stringify(f));
  for (const s of F.space()) assert.equal(checkSpec(s).ok, true, s.name);
  for (const m of F.panelMessages()) assert.equal(checkPanelMessage(m).ok, true, JSON.stringify(m));
  for (const m of F.compareMessages()) assert.equal(checkCompareMessage(m).ok, true);
  for (const m of F.hostToPanelMessages()) assert.equal(checkHostToPanel(m).ok, true, String(m.type));
  for (const m of F.hostToCompareMessages()) assert.equal(checkHostToCompare(m).ok, true);
  for (const r of F.proposalReplies()) assert.equal(checkProposal(r).ok, true);
});

test('mutation breaks one field at a known path and can write __proto__ as an own key', () => {
  const d = new Dice(5);
  let sawPollution = false;
  for (let i = 0; i < 300; i++) {
    const m = mutateOne(d, F.trainerMessages()[0]);
    if (m.kind === 'pollute') {
      const parent = m.path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], m.value);
      assert.ok(Object.prototype.hasOwnProperty.call(parent, m.path.at(-1)!), 'own key');
      sawPollution = true;
    }
  }
  assert.ok(sawPollution);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // 10k-level values are written back as text without recursing 10k frames.
  assert.equal(toText(deepNest(10_000, 'array')).length, 20_001);
});

/** A target around a deliberately broken parser: the runner must report it. */
function broken(name: string, run: Target['run']): Target {
  return { name, description: 'test double: a broken parser', generate: (d) => TARGETS.find((t) => t.name === 'run-file')!.generate(d), run };
}

test('the properties catch a parser that throws, echoes its input, or pollutes a prototype', () => {
  const throws = runTarget(
    broken('double-throws', (text) => {
      JSON.parse(text as string);
      return { accepted: false, error: 'no' };
    }),
    { iterations: 200, seed: 1 },
  );
  assert.ok(throws.crashes > 0, 'a SyntaxError escaping is a crash');
  assert.ok(throws.failures.some((f) => /^crash: SyntaxError/.test(f.problem)));

  const echoes = runTarget(broken('double-echoes', (text) => ({ accepted: false, error: `bad input: ${text as string}` })), { iterations: 300, seed: 1 });
  const problems = echoes.failures.map((f) => f.problem).join('\n');
  assert.match(problems, /unbounded|control\/bidi|lone UTF-16 surrogate/);

  const pollutes = runTarget(
    broken('double-pollutes', () => {
      (Object.prototype as Record<string, unknown>).polluted = 'yes';
      return { accepted: true, value: {} };
    }),
    { iterations: 3, seed: 1, noShrink: true },
  );
  delete (Object.prototype as Record<string, unknown>).polluted;
  assert.equal(pollutes.violations, 3);
  assert.match(pollutes.failures[0]!.problem, /prototype pollution/);
});

test('a rejection must name the field that was broken', () => {
  const vague = runTarget(broken('double-vague', () => ({ accepted: false, error: 'invalid' })), { iterations: 200, seed: 2, noShrink: true });
  assert.ok(vague.failures.some((f) => /does not name the field/.test(f.problem)));
});

test('a failing input is shrunk and reported with the command that regenerates it', () => {
  const c = runTarget(
    broken('double-nul', (text) => {
      if ((text as string).includes('\u0000')) throw new Error('NUL');
      return { accepted: false, error: 'rejected "x"' };
    }),
    { iterations: 400, seed: 3 },
  );
  const f = c.failures.find((x) => x.problem.startsWith('crash'));
  assert.ok(f, 'some generated input holds a NUL');
  assert.ok(f.input.length < 40, `shrunk to ${f.input}`);
  assert.ok(f.input.includes('\\u0000'));
  assert.equal(typeof f.index, 'number');
  assert.equal(f.seed, 3);
});

test('an input that takes over a second, twice, is reported as a hang', () => {
  const c = runTarget(
    broken('double-hangs', () => {
      const end = performance.now() + 1100;
      while (performance.now() < end);
      return { accepted: true, value: {} };
    }),
    { iterations: 1, seed: 1, noShrink: true },
  );
  assert.equal(c.violations, 1);
  assert.match(c.failures[0]!.problem, /^slow: took \d+ ms \(twice\)/);
});

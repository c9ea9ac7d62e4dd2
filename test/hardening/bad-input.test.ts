// Regression tests for the bugs the fuzzer found (docs/fuzzing.md, "What it found"), each with
// the concrete input. Before the fixes, the first two threw out of a "never throws" parser,
// inside the host's stdout handler: one line from a trainer could take the host down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeValue, printable } from '../../src/shared/guards';
import { checkSpec, checkValue, checkValues, type HyperparamSpec } from '../../src/shared/hyperparams';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS, parseHostCommandLine, parseTrainerLine } from '../../src/shared/protocol';
import { checkHostToCompare, checkHostToPanel, checkPanelMessage } from '../../src/shared/webview-protocol';
import { checkRunFile, parseRunFileText } from '../../src/runs/run-file';
import { LineSplitter, type LineEvent } from '../../src/runs/lines';
import { parseProposalReply, plainText } from '../../src/copilot/proposal';
import { messageProblems } from './fuzz/properties';
import * as F from './fuzz/fixtures';

const deepArray = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

function rejected(c: { ok: boolean; error?: string }): string {
  assert.equal(c.ok, false, 'expected a rejection');
  const msg = (c as { error: string }).error;
  assert.deepEqual(messageProblems(msg, undefined, false), [], msg);
  return msg;
}

test('bug 1: a 10k-level array on a trainer line is rejected (describeValue threw RangeError)', () => {
  const msg = rejected(parseTrainerLine(deepArray(10_000)));
  assert.match(msg, /expected a JSON object, got \[\[\[/);
  rejected(parseHostCommandLine(deepArray(10_000)));
  rejected(parseTrainerLine(`{"type":"metrics","step":1,"scalars":${deepArray(10_000)}}`));
  // Also cycles and BigInt, which structured clone can deliver to the webview guards.
  const cyc: Record<string, unknown> = { type: 'ready' };
  cyc.self = cyc;
  assert.equal(describeValue(cyc), '{"type":"ready","self":"[circular]"}');
  assert.equal(describeValue(10n), '10');
  rejected(checkPanelMessage(JSON.parse(deepArray(10_000))));
});

test('bug 2: a choice default {"toString": 1} is rejected (String() threw TypeError)', () => {
  const line = JSON.stringify({ type: 'hello', protocol: 1, algo: 'a', env: 'e', values: {}, space: [{ name: 'act', type: 'choice', choices: ['tanh'], default: { toString: 1 } }] });
  const msg = rejected(parseTrainerLine(line));
  assert.match(msg, /"space"\[0\]: hyperparameter "act": "default" \{"toString":1\} is not one of its "choices" \(tanh\)/);
  const spec: HyperparamSpec = { name: 'act', type: 'choice', default: 'tanh', choices: ['tanh', 'relu'], scale: 'linear', mutable: true, description: '' };
  rejected(checkValue(spec, { toString: 1 }));
  rejected(checkValue(spec, [{ toString: 1 }]));
  rejected(checkValue(spec, JSON.parse(deepArray(10_000))));
  // Only strings and numbers equal a choice: an object no longer matches "[object Object]".
  rejected(checkValue({ ...spec, choices: ['[object Object]'] }, {}));
});

test('bug 3: a panel snapshot hands the view checked specs (scale, mutable, description filled in)', () => {
  const msg = F.hostToPanelMessages()[0] as { state: { space: Record<string, unknown>[] } };
  msg.state.space = [{ name: 'flag', type: 'bool', default: 'true' }];
  const c = checkHostToPanel(msg);
  assert.equal(c.ok, true);
  if (c.ok && c.value.type === 'snapshot') assert.deepEqual(c.value.state.space, [{ name: 'flag', type: 'bool', default: true, scale: 'linear', mutable: true, description: '' }]);
});

test('bug 4: rejection messages quote input escaped and bounded (raw ESC, bidi, C1, lone surrogates, 1 MB)', () => {
  // V8's JSON.parse error quotes a snippet of the input raw.
  assert.match(rejected(parseTrainerLine('\u001b[2J')), /\\u001b/);
  assert.match(rejected(parseTrainerLine('\u202e{}')), /\\u202e/);
  rejected(parseTrainerLine('\ud83d'));
  rejected(parseProposalReply('\u009b31m'));
  assert.match(rejected(checkRunFile({ env: 'CartPole-v1', '\u001b[2J': 1 })), /unknown key "\\u001b\[2J" \(valid: env, algo/);
  const huge = 'H'.repeat(1_000_000);
  assert.ok(rejected(checkRunFile({ env: huge, steps: 'x' })).length < 300);
  assert.ok(rejected(checkHostToPanel({ type: 'metrics', runId: 'r', chunks: [{ key: huge, steps: [1], values: ['x'] }] })).length < 300);
  assert.ok(rejected(parseTrainerLine(JSON.stringify({ type: 'hello', protocol: 1, algo: 'a', env: 'e', values: {}, space: [{ name: huge, type: 'x' }] }))).length < 300);
  // Many problems: the first five and a count, not a 100 kB message.
  const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 1]));
  const msg = rejected(checkValues(F.space(), many));
  assert.match(msg, /and 995 more problems$/);
  assert.ok(msg.length < 1500);
  assert.equal(printable('a'.repeat(10) + '🙂', 11), `${'a'.repeat(10)}…`, 'never cut inside a surrogate pair');
});

test('bug 5: run files bound their numbers and names (1e308 steps, 2^32 seed, 1e999, bidi label were accepted)', () => {
  assert.match(rejected(checkRunFile({ steps: 1e308 })), /"steps" = 1e\+308 is too large \(at most 9007199254740991\)/);
  assert.match(rejected(checkRunFile({ seed: 2 ** 32 })), /"seed" = 4294967296 is too large \(at most 4294967295\)/);
  assert.match(rejected(parseRunFileText('{"hyperparams": {"lr": 1e999}}')), /"lr" must be a finite number, boolean or string, got null/);
  assert.match(rejected(checkRunFile({ label: 'evil\u202etxt.exe' })), /"label" contains the control or bidi character U\+202e/);
  assert.match(rejected(checkRunFile({ trainer: 'python3 x.py\u0000--rm' })), /"trainer" contains the control or bidi character U\+0000/);
  assert.match(rejected(checkRunFile({ hyperparams: { 'lr\n': 1 } })), /"hyperparams": the name "lr\\n" is not a usable hyperparameter name/);
  assert.match(rejected(parseRunFileText('{"hyperparams": {"__proto__": 1}}')), /"__proto__" is not a hyperparameter name/);
  assert.match(rejected(parseRunFileText('{"env": "x",')), /is not valid JSON/);
  assert.equal(checkRunFile({ steps: Number.MAX_SAFE_INTEGER, seed: 4294967295, label: 'שלום 👍🏽' }).ok, true);
});

test("a spec's steps: only 'ratio', only on a float whose min is at least 0; kept through the check", () => {
  const base = { name: 'beta', type: 'float', default: 0, min: 0, max: 1, scale: 'linear', mutable: true, description: '' };
  const ok = checkSpec({ ...base, steps: 'ratio' });
  assert.ok(ok.ok && ok.value.steps === 'ratio');
  assert.ok(!('steps' in (checkSpec(base) as { value: object }).value), 'absent when not given');
  assert.match(rejected(checkSpec({ ...base, steps: 'log' })), /hyperparameter "beta": "steps" must be "ratio" when given, got "log"/);
  assert.match(rejected(checkSpec({ ...base, steps: 'ratio', min: -1 })), /"steps": "ratio" is for float parameters with "min" ≥ 0/);
  assert.match(rejected(checkSpec({ ...base, type: 'int', steps: 'ratio' })), /"steps": "ratio" is for float parameters/);
});

test('bug 6: messages name the field that was wrong', () => {
  assert.match(rejected(checkSpec({ name: 'act', type: 'choice', default: 'a' })), /needs a non-empty "choices" array/);
  assert.match(rejected(checkPanelMessage({ type: 'edit', proposalId: 'p', values: {} })), /"edit": "values" must hold at least one value/);
  assert.match(rejected(checkPanelMessage(JSON.parse('{"type":"edit","proposalId":"p","values":{"a":1,"__proto__":2}}'))), /"__proto__" is not a hyperparameter name/);
  assert.match(rejected(parseTrainerLine('{"type":"applied","version":1,"step":1,"values":{"lr":null}}')), /"values": "lr" must be a finite number, boolean or string, got null/);
  assert.match(rejected(checkHostToPanel({ type: 'versions', runId: 'r', versions: [{ version: 0, step: 0, values: {}, author: 'a', reason: 'r' }, 5] })), /"versions"\[1\] must be/);
  // Found by the 100k run (panel-out, seed 7, #2908): a snapshot whose state is {}.
  assert.match(rejected(checkHostToPanel({ type: 'snapshot', protocol: 1, state: {} })), /^"snapshot": "state": "run" must be an object/);
  const cmp = F.hostToCompareMessages()[0] as { state: { runs: { series: { steps: unknown[] }[] }[] } };
  cmp.state.runs[1]!.series[0]!.steps[1] = 'x';
  assert.match(rejected(checkHostToCompare(cmp)), /"runs"\[1\]: "series"\[0\] "charts\/episodic_return": point 1 is not a pair of finite numbers \("steps"\[1\] is "x"\)/);
});

test('bug 7: a model reply cannot smuggle bidi overrides or control characters into names or rationale', () => {
  assert.equal(plainText('raise \u202egnp.exe\u202c the rate'), 'raise gnp.exe the rate');
  assert.equal(plainText('a\ud800b'), 'a\ufffdb');
  assert.match(rejected(parseProposalReply('{"changes": {"lr\\u001b[2J": 0.1}, "rationale": "x"}')), /not a hyperparameter name: "lr\\u001b\[2J"/);
  assert.match(rejected(parseProposalReply(JSON.stringify({ changes: { ['k'.repeat(5000)]: 1 }, rationale: 'x' }))), /not a hyperparameter name/);
  const ok = parseProposalReply('{"changes": {"learning_rate": 0.0001}, "rationale": "fine"}');
  assert.equal(ok.ok, true);
});

test('bug 8: an overlong line is reported with a head free of control and bidi characters', () => {
  const events: LineEvent[] = [];
  const s = new LineSplitter(64, (e) => events.push(e));
  s.push(Buffer.from(`\u202e\u009b31m${'\u001b[2J'.repeat(40)}\n{"type":"done","step":1}\n`));
  s.end();
  assert.equal(events.length, 2);
  const first = events[0]!;
  assert.equal(first.kind, 'overlong');
  if (first.kind === 'overlong') {
    assert.equal(first.bytes, Buffer.byteLength(`\u202e\u009b31m${'\u001b[2J'.repeat(40)}`));
    assert.deepEqual(messageProblems(first.head, undefined, false), [], first.head);
    assert.match(first.head, /^\ufffd\ufffd31m\ufffd\[2J/);
  }
  assert.deepEqual(events[1], { kind: 'line', text: '{"type":"done","step":1}' });
});

test('a trainer\'s hello names are bounded and plain, its error text is kept to MAX_ERROR_CHARS', () => {
  const hello = (o: Record<string, unknown>) => JSON.stringify({ type: 'hello', protocol: 1, algo: 'ppo', env: 'CartPole-v1', values: {}, space: [], ...o });
  assert.ok(parseTrainerLine(hello({})).ok);
  assert.match(rejected(parseTrainerLine(hello({ env: 'x'.repeat(MAX_NAME_CHARS + 1) }))), /"env" must be a string of 1 to 200 characters without control characters/);
  assert.match(rejected(parseTrainerLine(hello({ algo: 'ppo\u001b[2J' }))), /"algo" must be a string .* got "ppo\\u001b\[2J"/);
  assert.match(rejected(parseTrainerLine(hello({ env: '' }))), /"env" must be a string of 1 to 200/);
  assert.match(rejected(parseTrainerLine(hello({ env: 'Cart\u202ePole' }))), /"env" must be/);
  const named = parseTrainerLine(hello({ trainer: `t\u001b${'n'.repeat(1000)}` }));
  assert.ok(named.ok && named.value.type === 'hello');
  const trainer = (named.value as { trainer: string }).trainer;
  assert.ok(trainer.length <= MAX_NAME_CHARS + 8 && trainer.startsWith('t\\u001b'), trainer.slice(0, 20));
  const tb = 'Traceback (most recent call last):\n  File "train.py", line 3\nValueError: bad';
  const e1 = parseTrainerLine(JSON.stringify({ type: 'error', message: tb }));
  assert.ok(e1.ok && (e1.value as { message: string }).message === tb, 'a traceback is kept as it is, newlines included');
  const e2 = parseTrainerLine(JSON.stringify({ type: 'error', message: 'y'.repeat(500_000) }));
  assert.ok(e2.ok);
  const m = (e2.value as { message: string }).message;
  assert.ok(m.length < MAX_ERROR_CHARS + 60 && m.endsWith(`… (${500_000 - MAX_ERROR_CHARS} more characters not kept)`), m.slice(-60));
});

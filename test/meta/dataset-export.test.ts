// The meta-training path on a real (tiny) collection: `hyperprompt collect` trains PPO on
// CartPole with the oracle lookahead and writes examples that pass the schema guard; the
// chat export is built with the co-pilot's prompt code and its assistant turn parses as a
// proposal of the schema; the few-shot Modelfile parses; training is reproducible and gives
// weights the embedded controller loads; users' decisions are included only when asked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/command';
import { collect } from '../../src/cli/commands/collect';
import { exportCommand } from '../../src/cli/commands/export';
import { meta } from '../../src/cli/commands/meta';
import { EmbeddedController, checkEmbeddedWeights } from '../../src/copilot/controllers/embedded';
import { parseModelfile } from '../../src/copilot/modelfile';
import { systemPrompt } from '../../src/copilot/prompt';
import { parseProposalReply, proposalSchema } from '../../src/copilot/proposal';
import { renderSummaryText } from '../../src/copilot/summary';
import { spaceFor } from '../../src/rl/algos/index';
import { checkExample, loadDataset, type Example } from '../../src/meta/dataset';
import { exampleLabels, KEEP, FACTORS } from '../../src/meta/targets';
import { trainEmbedded, DEFAULT_TRAIN } from '../../src/meta/train';

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd, out: () => o, err: () => e };
}

const root = mkdtempSync(join(tmpdir(), 'hp-meta-'));
const data = join(root, 'data');
let examples: Example[] = [];

before(async () => {
  // One job: PPO CartPole, 1536 steps, decisions at 512 and 1024, 3 candidates over 256 steps.
  writeFileSync(
    join(root, 'suite.json'),
    JSON.stringify({
      name: 'test-tiny',
      description: 'test',
      interval: 512,
      seeds: 1,
      tasks: [{ env: 'CartPole-v1', algo: 'ppo', steps: 1536 }],
      starts: ['lr-div10'],
      controllers: ['oracle-lookahead'],
      options: { 'oracle-lookahead': { candidates: 3, horizon: 256, params: ['learning_rate', 'clip_range'] } },
      $splits: { 'CartPole-v1.ppo': 'validation' },
    }),
  );
  const c = io(root);
  const code = await collect.run(['--suite', join(root, 'suite.json'), '--out', data, '--backend', 'wasm'], c);
  assert.equal(code, 0, c.err());
  examples = loadDataset(data).examples;
});

test('collect writes one schema-valid example per decision, with every candidate measured and the best chosen', () => {
  assert.equal(examples.length, 2);
  const m = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8'));
  assert.equal(m.schema, 'hyperprompt-meta-dataset/1');
  assert.ok(Array.isArray(m.spaces.ppo));
  for (const e of examples) {
    assert.equal(checkExample(JSON.parse(JSON.stringify(e))).ok, true);
    assert.equal(e.split, 'validation');
    assert.equal(e.candidates.length, 3);
    assert.equal(e.candidates[0]!.change, null, 'candidate 0 keeps the values');
    assert.equal(e.text, renderSummaryText(e.summary));
    const scores = e.candidates.map((c) => c.score ?? -Infinity);
    assert.equal(scores[e.best], Math.max(...scores));
    for (const c of e.candidates.slice(1)) {
      assert.ok(c.change && ['learning_rate', 'clip_range'].includes(c.change.param));
      assert.ok(c.envSteps >= 256);
    }
    if (e.best === 0) assert.deepEqual(e.target, {});
    else assert.deepEqual(Object.keys(e.target), [e.candidates[e.best]!.change!.param]);
  }
  // The second summary carries the first decision and its outcome (the meta-reward).
  assert.equal(examples[1]!.summary.recentDecisions.length, 1);
  assert.equal(examples[1]!.summary.recentDecisions[0]!.decidedBy, 'oracle-lookahead');
});

test('a second collect with the same output resumes: finished jobs are not run again', async () => {
  const before = readFileSync(join(data, 'examples', 'CartPole-v1.ppo.lr-div10.oracle-lookahead.s0.jsonl'), 'utf8');
  const c = io(root);
  assert.equal(await collect.run(['--suite', join(root, 'suite.json'), '--out', data], c), 0);
  assert.doesNotMatch(c.out(), /collect CartPole/);
  assert.equal(readFileSync(join(data, 'examples', 'CartPole-v1.ppo.lr-div10.oracle-lookahead.s0.jsonl'), 'utf8'), before);
});

test('the chat export uses the co-pilot prompt and its assistant turn is a valid proposal of the schema', async () => {
  const out = join(root, 'chat.jsonl');
  const c = io(root);
  assert.equal(await exportCommand.run(['--data', data, '--format', 'chat', '--out', out], c), 0, c.err());
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  const space = spaceFor('ppo');
  const mutable = Object.keys((proposalSchema(space).properties as { changes: { properties: object } }).changes.properties);
  lines.forEach((l, i) => {
    assert.deepEqual(l.messages.map((m: { role: string }) => m.role), ['system', 'user', 'assistant']);
    assert.equal(l.messages[0].content, systemPrompt('ppo', space));
    assert.equal(l.messages[1].content, renderSummaryText(examples[i]!.summary));
    const p = parseProposalReply(l.messages[2].content);
    assert.ok(p.ok, !p.ok ? p.error : '');
    if (p.ok) {
      assert.deepEqual(p.value.ignoredKeys, []);
      for (const k of Object.keys(p.value.proposal.changes)) assert.ok(mutable.includes(k));
      assert.deepEqual(p.value.proposal.changes, examples[i]!.target);
    }
  });
});

test('the few-shot Modelfile parses and carries dataset demonstrations as MESSAGE pairs', async () => {
  // Demonstrations come from the train split: relabel the tiny dataset as train for this export.
  const trainDir = join(root, 'train-data');
  mkdirSync(join(trainDir, 'examples'), { recursive: true });
  writeFileSync(join(trainDir, 'examples', 'a.jsonl'), examples.map((e) => JSON.stringify({ ...e, split: 'train' })).join('\n') + '\n');
  const out = join(root, 'Modelfile.fewshot');
  const c = io(root);
  assert.equal(await exportCommand.run(['--data', trainDir, '--format', 'modelfile-fewshot', '--out', out], c), 0, c.err());
  const mf = parseModelfile(readFileSync(out, 'utf8'));
  assert.ok(mf.ok, !mf.ok ? mf.error : '');
  if (mf.ok) {
    const msgs = (mf.value as { messages?: { role: string; content: string }[] }).messages ?? [];
    assert.ok(msgs.length >= 2 && msgs.length % 2 === 0);
    for (let i = 0; i < msgs.length; i += 2) {
      assert.equal(msgs[i]!.role, 'user');
      assert.equal(msgs[i + 1]!.role, 'assistant');
      assert.ok(parseProposalReply(msgs[i + 1]!.content).ok);
    }
  }
});

test('labels: the winning step for the changed parameter, keep for tried-but-lost, masked for untried', () => {
  const e = examples[0]!;
  const labels = exampleLabels(e, ['learning_rate', 'clip_range', 'ent_coef']);
  assert.equal(labels[2], -1, 'ent_coef was never tried');
  const best = e.candidates[e.best]!;
  ['learning_rate', 'clip_range'].forEach((p, i) => {
    const tried = e.candidates.some((c) => c.change?.param === p);
    if (best.change?.param === p) assert.equal(FACTORS[labels[i]!], best.change.factor);
    else assert.equal(labels[i], tried ? KEEP : -1);
  });
});

test('training is reproducible from the seed and gives weights the embedded controller loads', async () => {
  const train = examples.map((e) => ({ ...e, split: 'train' as const }));
  const o = { ...DEFAULT_TRAIN, epochs: 20 };
  const a = await trainEmbedded(train, o);
  const b = await trainEmbedded(train, o);
  assert.equal(JSON.stringify(a.weights), JSON.stringify(b.weights));
  const c = await trainEmbedded(train, { ...o, seed: 1 });
  assert.notEqual(JSON.stringify(a.weights.models), JSON.stringify(c.weights.models));
  assert.ok(checkEmbeddedWeights(JSON.parse(JSON.stringify(a.weights))).ok);
  const ctl = new EmbeddedController({ weights: a.weights });
  const e = examples[0]!;
  const out = await ctl.decide({ summary: e.summary, space: spaceFor('ppo'), values: e.values, features: e.features, signal: new AbortController().signal });
  assert.ok(out.proposal);
});

test('meta train --data writes a weights file; users\' decisions are added only with --include-decisions', async () => {
  // A run folder with one decision that raised the return.
  const runs = join(root, 'runs', 'r1');
  mkdirSync(runs, { recursive: true });
  const e = examples[0]!;
  const rec = {
    id: 'd1', interval: 1, step: 1024, time: new Date().toISOString(), controller: 'ollama', mode: 'ask',
    prompt: { system: 's', user: e.text, demonstrations: 0, model: 'm' }, rawReply: '{}', proposal: { changes: { learning_rate: 2e-4 }, rationale: 'r' },
    failure: null, fallback: null, safety: [], proposed: { learning_rate: 2e-4 }, applied: { learning_rate: 2e-4 }, previous: { ...e.values },
    outcome: 'accepted', decidedBy: 'user', latencyMs: 10, lateIntervals: 0, resolvedAtInterval: 1, returnBefore: 10, returnAfter: 20, features: e.features, messages: [],
  };
  writeFileSync(join(runs, 'decisions.jsonl'), `${JSON.stringify(rec)}\n`);
  const withDecisions = join(root, 'data2');
  // The oracle job is already done there (a copy of the first collection), so only the decisions are new.
  mkdirSync(join(withDecisions, 'examples'), { recursive: true });
  copyFileSync(join(data, 'examples', 'CartPole-v1.ppo.lr-div10.oracle-lookahead.s0.jsonl'), join(withDecisions, 'examples', 'CartPole-v1.ppo.lr-div10.oracle-lookahead.s0.jsonl'));
  const c = io(root);
  assert.equal(await collect.run(['--suite', join(root, 'suite.json'), '--out', withDecisions, '--include-decisions', join(root, 'runs')], c), 0, c.err());
  const ds = loadDataset(withDecisions);
  const d = ds.examples.filter((x) => x.source === 'decision');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.target, { learning_rate: 2e-4 });
  assert.equal(d[0]!.split, 'train');
  assert.equal(loadDataset(data).examples.filter((x) => x.source === 'decision').length, 0, 'off by default');

  const w = join(root, 'weights.json');
  const m = io(root);
  assert.equal(await meta.run(['train', '--data', withDecisions, '--out', w, '--epochs', '10'], m), 0, m.err());
  assert.match(m.out(), /proposal agrees with the oracle target/);
  assert.ok(checkEmbeddedWeights(JSON.parse(readFileSync(w, 'utf8'))).ok);
});

test('usage errors say what is missing', async () => {
  const c = io(root);
  assert.equal(await collect.run(['--out', data], c), 2);
  assert.match(c.err(), /--suite is required/);
  const x = io(root);
  assert.equal(await exportCommand.run(['--data', join(root, 'nothing'), '--out', join(root, 'x')], x), 2);
  assert.match(x.err(), /no dataset/);
  const m = io(root);
  assert.equal(await meta.run(['frobnicate'], m), 2);
  assert.match(m.err(), /valid: train, es, gap, latency, combine, ablate/);
});

test('the shipped Modelfiles parse: fine-tuned (FROM + ADAPTER) and few-shot (dataset MESSAGEs), both with the generic SYSTEM', async () => {
  const { GENERIC_SYSTEM_PROMPT } = await import('../../src/copilot/prompt');
  const ft = parseModelfile(readFileSync(join(process.cwd(), 'models', 'Modelfile.finetuned'), 'utf8'));
  assert.ok(ft.ok, !ft.ok ? ft.error : '');
  if (ft.ok) {
    assert.equal(ft.value.system, GENERIC_SYSTEM_PROMPT);
    assert.match(ft.value.adapter ?? '', /\.gguf$/);
    assert.equal(ft.value.from, 'qwen2.5:3b');
  }
  const fs = parseModelfile(readFileSync(join(process.cwd(), 'models', 'Modelfile.fewshot'), 'utf8'));
  assert.ok(fs.ok, !fs.ok ? fs.error : '');
  if (fs.ok) {
    assert.equal(fs.value.system, GENERIC_SYSTEM_PROMPT);
    assert.ok(fs.value.messages.length >= 4);
    for (const m of fs.value.messages.filter((x) => x.role === 'assistant')) assert.ok(parseProposalReply(m.content).ok);
  }
});

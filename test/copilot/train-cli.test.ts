// `hyperprompt train --controller ... --mode ...`: the co-pilot flags end to end, with the
// runs layer's scripted trainer (a real child process speaking protocol v1) and the Ollama
// test server. Auto mode applies through config versions; ask mode reads answers from stdin.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { train } from '../../src/cli/commands/train';
import type { CliIO } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

const SCRIPTED = join(__dirname, '..', 'runs', 'fixtures', 'scripted-trainer.mjs');
const TRAINER = `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED)}`;

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function io(): CliIO & { stdinStream: PassThrough; out: () => string; err: () => string; onErr: (f: (text: string) => void) => void } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let o = '';
  let e = '';
  const listeners: ((t: string) => void)[] = [];
  stdout.on('data', (b) => (o += b));
  stderr.on('data', (b) => {
    e += b;
    for (const l of listeners) l(String(b));
  });
  return {
    stdout,
    stderr,
    stdin,
    stdinStream: stdin,
    env: { ...process.env, SCRIPTED_DELAY_MS: '20' },
    cwd: mkdtempSync(join(tmpdir(), 'hp-train-copilot-')),
    out: () => o,
    err: () => e,
    onErr: (f) => listeners.push(f),
  };
}

function runDir(t: CliIO): string {
  const root = join(t.cwd, '.hyperprompt', 'runs');
  const [id] = readdirSync(root);
  return join(root, id!);
}

const lines = (path: string): Record<string, any>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

test('train --controller ollama --mode auto: proposals become copilot config versions and decision records', async () => {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  // Every reply is a change from whatever is in force (a late one may be dropped as stale).
  for (let i = 0; i < 10; i++) s.enqueue({ reply: { changes: { learning_rate: 0.001 * 0.9 ** (i + 1) }, rationale: `reply ${i}` } });
  const t = io();
  // The trainer waits at the end of interval 0 for the co-pilot's `set`: at least one reply
  // lands while it runs however busy the machine is (later ones race the run, as in real use).
  t.env.SCRIPTED_DELAY_MS = '60';
  t.env.SCRIPTED_HOLD_AT = '0';
  const code = await train.run(['--trainer', TRAINER, '--env', 'FakeEnv-v0', '--steps', '4000', '--interval', '500', '--controller', 'ollama', '--mode', 'auto', '--ollama-host', s.url], t);
  assert.equal(code, 0, t.err());
  const dir = runDir(t);
  const configs = lines(join(dir, 'configs.jsonl'));
  const byCopilot = configs.filter((c) => c.author === 'copilot');
  assert.ok(byCopilot.length >= 1, JSON.stringify(configs));
  assert.match(byCopilot[0]!.reason, /co-pilot ollama, interval \d+, applied by auto: reply \d+/);
  const decisions = lines(join(dir, 'decisions.jsonl'));
  // The last one may be sent as the trainer ends, too late to take effect.
  assert.ok(decisions.filter((d) => d.outcome === 'applied').length >= byCopilot.length);
  assert.ok(decisions.every((d) => d.controller === 'ollama' && typeof d.latencyMs === 'number'));
  assert.ok((s.requestsTo('/api/chat')[0]!.body as { format?: unknown }).format, 'format schema sent');
  assert.match(t.err(), /co-pilot: learning_rate [\d.e-]+ → [\d.e-]+ \(auto\): co-pilot ollama, interval \d+/);
});

test('train --mode ask: the proposal is printed and answered on stdin (edit, then reject)', async () => {
  const s = await startOllamaTestServer({ models: ['qwen2.5:3b'] });
  servers.push(s);
  for (let i = 0; i < 20; i++) s.enqueue({ reply: { changes: { learning_rate: 0.0005 }, rationale: 'Lower it.\u001b[31m' } });
  const t = io();
  t.env.SCRIPTED_DELAY_MS = '60';
  // The trainer waits at the end of intervals 0 and 1: the edit's `set` ends the first wait;
  // a rejection sends nothing, so the release file ends the second once it is printed. Both
  // answers are given before the run can end, however busy the machine is.
  const release = join(t.cwd, 'release-trainer');
  t.env.SCRIPTED_HOLD_AT = '0,1';
  t.env.SCRIPTED_RELEASE_FILE = release;
  const answers = ['e learning_rate=0.9 n_steps=64', 'r'];
  t.onErr((text) => {
    if (/answer: \[a\]ccept/.test(text) && answers.length) t.stdinStream.write(`${answers.shift()}\n`);
    if (/co-pilot: rejected/.test(t.err())) writeFileSync(release, '');
  });
  const code = await train.run(['--trainer', TRAINER, '--env', 'FakeEnv-v0', '--steps', '6000', '--interval', '500', '--controller', 'ollama', '--mode', 'ask', '--ollama-host', s.url], t);
  assert.equal(code, 0, t.err());
  assert.match(t.err(), /using the base model "qwen2.5:3b"/);
  assert.match(t.err(), /co-pilot proposal \(interval \d+, ollama\):\n {2}learning_rate 0.001 → 5e-4\n {2}why: Lower it\./);
  assert.doesNotMatch(t.err(), /\u001b/);
  assert.match(t.err(), /safety step-limited: learning_rate: 0.001 → 0.9 is more than one step/);
  assert.match(t.err(), /safety immutable: n_steps cannot change during a run/);
  assert.match(t.err(), /co-pilot: rejected/);
  const decisions = lines(join(runDir(t), 'decisions.jsonl'));
  assert.deepEqual(decisions.filter((d) => d.decidedBy === 'user').map((d) => d.outcome), ['edited', 'rejected']);
  const configs = lines(join(runDir(t), 'configs.jsonl')).filter((c) => c.author === 'copilot');
  assert.deepEqual(configs.map((c) => c.values.learning_rate), [0.003]);
});

test('train: bad co-pilot flags exit 2 and name the valid choices', async () => {
  for (const [argv, why] of [
    [['--controller', 'oracle'], /--controller must be one of static, schedule, heuristic, ollama/],
    [['--controller', 'heuristic', '--mode', 'sometimes'], /--mode must be one of off, ask, auto/],
    [['--controller', 'heuristic', '--ollama-host', 'http://x'], /--ollama-host and --ollama-model need --controller ollama/],
    [['--controller', 'schedule', '--schedule', 'warp=linear:1:2'], /unknown hyperparameter "warp"/],
  ] as [string[], RegExp][]) {
    const t = io();
    const code = await main(['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '100', ...argv], t);
    assert.equal(code, 2, t.err());
    assert.match(t.err(), why);
  }
});

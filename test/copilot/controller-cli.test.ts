// `hyperprompt controller check|setup` against the Ollama test server, and models/Modelfile.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { controller } from '../../src/cli/commands/controller';
import type { CliIO } from '../../src/cli/command';
import { parseModelfile } from '../../src/copilot/modelfile';
import { GENERIC_SYSTEM_PROMPT } from '../../src/copilot/prompt';
import { parseProposalReply } from '../../src/copilot/proposal';
import { faultyReplies, refusedUrl, startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function server(models: string[]): Promise<OllamaTestServer> {
  const s = await startOllamaTestServer({ models });
  servers.push(s);
  return s;
}

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (b) => (o += b));
  stderr.on('data', (b) => (e += b));
  return { stdout, stderr, stdin: new PassThrough(), env, cwd: process.cwd(), out: () => o, err: () => e };
}

const MODELFILE = join(__dirname, '..', '..', 'models', 'Modelfile');

test('models/Modelfile: FROM, SYSTEM equal to the prompt code, deliberate PARAMETERs, few-shot pairs whose replies parse', () => {
  const r = parseModelfile(readFileSync(MODELFILE, 'utf8'));
  assert.ok(r.ok, r.ok ? '' : r.error);
  const mf = r.value;
  assert.equal(mf.from, 'qwen2.5:3b');
  assert.equal(mf.system, GENERIC_SYSTEM_PROMPT);
  assert.deepEqual(mf.parameters, { temperature: 0.2, top_p: 0.9, num_predict: 384, num_ctx: 4096 });
  assert.deepEqual(mf.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
  for (const m of mf.messages.filter((m) => m.role === 'assistant')) assert.ok(parseProposalReply(m.content).ok, m.content);
  for (const m of mf.messages.filter((m) => m.role === 'user')) assert.match(m.content, /^algo: ppo {2}env: CartPole-v1\ninterval \d+, step/);
  assert.equal(parseModelfile('SYSTEM hi').ok, false, 'FROM is required');
  assert.equal(parseModelfile('FROM x\nSYSTEM """never closed').ok, false);
  assert.deepEqual(parseModelfile('FROM x\nPARAMETER stop "<|im_end|>"\nPARAMETER stop "</s>"').ok && parseModelfile('FROM x\nPARAMETER stop "<|im_end|>"\nPARAMETER stop "</s>"'), {
    ok: true,
    value: { from: 'x', parameters: { stop: ['<|im_end|>', '</s>'] }, messages: [] },
  });
});

test('check: reachable, model present, a structured reply parses → exit 0; the request carried the format schema', async () => {
  const s = await server(['hyperprompt-controller', 'qwen2.5:3b']);
  s.enqueue({ reply: { changes: { learning_rate: 0.0001 }, rationale: 'sample' } });
  const t = io();
  assert.equal(await controller.run(['check', '--ollama-host', s.url], t), 0);
  assert.match(t.out(), /✓ Ollama 0.12.6 reachable/);
  assert.match(t.out(), /✓ controller model "hyperprompt-controller" present/);
  assert.match(t.out(), /✓ a structured reply parses: \{"learning_rate":0.0001\}/);
  const body = s.requestsTo('/api/chat')[0]!.body as { format: { properties: { changes: { properties: Record<string, unknown> } } } };
  assert.ok('learning_rate' in body.format.properties.changes.properties);
});

test('check: OLLAMA_HOST is used; base model only → still answers, says to run setup; --json', async () => {
  const s = await server(['qwen2.5:3b']);
  const t = io({ OLLAMA_HOST: s.url });
  assert.equal(await controller.run(['check', '--json'], t), 0);
  const r = JSON.parse(t.out());
  assert.equal(r.reachable, true);
  assert.equal(r.modelPresent, false);
  assert.equal(r.basePresent, true);
  assert.equal(r.structuredReply, 'ok');
  assert.deepEqual(r.problems, ['model "hyperprompt-controller" absent']);
});

test('check: unreachable, no model, or an invalid reply → exit 1 with the reason', async () => {
  const t1 = io();
  assert.equal(await controller.run(['check', '--ollama-host', await refusedUrl()], t1), 1);
  assert.match(t1.out(), /✗ cannot reach Ollama .*ollama serve/);
  const s2 = await server([]);
  const t2 = io();
  assert.equal(await controller.run(['check', '--ollama-host', s2.url], t2), 1);
  assert.match(t2.out(), /neither "hyperprompt-controller" nor the base model "qwen2.5:3b" is present: run "hyperprompt controller setup"/);
  const s3 = await server(['hyperprompt-controller']);
  s3.enqueue({ reply: faultyReplies.invalidJson });
  const t3 = io();
  assert.equal(await controller.run(['check', '--ollama-host', s3.url], t3), 1);
  assert.match(t3.out(), /✗ the structured reply failed \(invalid-reply\)/);
});

test('setup: pulls the base model with progress, creates the controller from the Modelfile, then check passes', async () => {
  const s = await server([]);
  const t = io();
  assert.equal(await controller.run(['setup', '--ollama-host', s.url, '--modelfile', MODELFILE], t), 0, t.err());
  assert.match(t.out(), /pulling base model "qwen2.5:3b"/);
  assert.match(t.err(), /pulling qwen2.5:3b 100%/);
  assert.deepEqual((s.requestsTo('/api/pull')[0]!.body as { name: string }).name, 'qwen2.5:3b');
  const create = s.requestsTo('/api/create')[0]!.body as Record<string, any>;
  assert.equal(create.model, 'hyperprompt-controller');
  assert.equal(create.from, 'qwen2.5:3b');
  assert.equal(create.system, GENERIC_SYSTEM_PROMPT);
  assert.deepEqual(create.parameters, { temperature: 0.2, top_p: 0.9, num_predict: 384, num_ctx: 4096 });
  assert.equal(create.messages.length, 4);
  assert.equal(create.adapters, undefined, 'no adapter file, no ADAPTER');
  assert.ok(s.hasModel('hyperprompt-controller'));
  assert.match(t.out(), /✓ created "hyperprompt-controller" \(from qwen2.5:3b; 2 few-shot pairs/);
  const t2 = io();
  assert.equal(await controller.run(['check', '--ollama-host', s.url], t2), 0);
});

test('setup: an adapter beside the Modelfile is uploaded as a blob and added as ADAPTER', async () => {
  const s = await server(['qwen2.5:3b']);
  const dir = mkdtempSync(join(tmpdir(), 'hp-modelfile-'));
  copyFileSync(MODELFILE, join(dir, 'Modelfile'));
  const bytes = Buffer.from('GGUF fake adapter bytes for the test server');
  writeFileSync(join(dir, 'adapter.gguf'), bytes);
  const t = io();
  assert.equal(await controller.run(['setup', '--ollama-host', s.url, '--modelfile', join(dir, 'Modelfile')], t), 0, t.err());
  assert.match(t.out(), /base model "qwen2.5:3b" already present/);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  assert.deepEqual((s.requestsTo('/api/create')[0]!.body as { adapters: unknown }).adapters, { 'adapter.gguf': digest });
  assert.deepEqual(s.model('hyperprompt-controller')!.adapters, { 'adapter.gguf': digest });
});

test('setup: a server that cannot be reached, or a bad subcommand, says what to do', async () => {
  const t = io();
  assert.equal(await controller.run(['setup', '--ollama-host', await refusedUrl(), '--modelfile', MODELFILE], t), 1);
  assert.match(t.err(), /cannot reach Ollama/);
  await assert.rejects(controller.run(['frobnicate'], io()), /expected "check" or "setup"/);
});

test('few-shot demonstrations are loaded from earlier runs of the same algorithm and environment', async () => {
  const { CopilotSession } = await import('../../src/copilot/session');
  const { HeuristicController } = await import('../../src/copilot/controllers/index');
  const { fileDecisionWriter } = await import('../../src/copilot/decisions');
  const { loadDemonstrations } = await import('../../src/cli/commands/controller');
  const { SPACE, VALUES, interval } = await import('./fixtures');
  const { mkdirSync } = await import('node:fs');
  const root = mkdtempSync(join(tmpdir(), 'hp-runs-fewshot-'));
  mkdirSync(join(root, 'run-a'));
  // The heuristic leaves no prompt, so write what an LLM decision looks like through a session
  // whose controller output carries one: the ollama controller against the test server.
  const s = await server(['hyperprompt-controller']);
  s.enqueue({ reply: { changes: { gamma: 0.985 }, rationale: 'r' } });
  const { OllamaController } = await import('../../src/copilot/controllers/index');
  const session = new CopilotSession({
    controller: new OllamaController({ host: s.url }),
    mode: 'auto',
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: { ...VALUES },
    apply: () => {},
    writer: fileDecisionWriter(join(root, 'run-a', 'decisions.jsonl')),
  });
  session.onInterval(interval(0, [10]));
  await session.idle();
  session.onInterval(interval(1, [50]));
  await session.close();
  assert.equal(loadDemonstrations(root, 'ppo', 'CartPole-v1').size, 1);
  assert.equal(loadDemonstrations(root, 'dqn', 'CartPole-v1').size, 0);
  assert.equal(loadDemonstrations(join(root, 'absent'), 'ppo', 'CartPole-v1').size, 0);
  void HeuristicController;
});

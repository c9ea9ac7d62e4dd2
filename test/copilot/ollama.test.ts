// The Ollama controller against the Ollama-compatible test server (real HTTP on loopback).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { OllamaController, HeuristicController, withFallback } from '../../src/copilot/controllers/index';
import type { ControllerInput } from '../../src/copilot/controllers/types';
import { DemonstrationStore } from '../../src/copilot/fewshot';
import { proposalSchema } from '../../src/copilot/proposal';
import { DEFAULT_OLLAMA_HOST, resolveOllamaHost } from '../../src/copilot/ollama-client';
import { SCALE_FREE_FEATURES, TrainingHistory, renderSummaryText, summaryFeatures } from '../../src/copilot/summary';
import { faultyReplies, refusedUrl, startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';
import { SPACE, VALUES, interval } from './fixtures';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(models = ['hyperprompt-controller', 'qwen2.5:3b'], latencyMs = 0): Promise<OllamaTestServer> {
  const s = await startOllamaTestServer({ models, latencyMs });
  servers.push(s);
  return s;
}

function input(): ControllerInput {
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  h.push(interval(0, [12, 18]));
  const summary = h.push(interval(1, [25, 31], { diagnostics: { 'losses/approx_kl': 0.09, 'losses/entropy': 0.6 } }));
  return { summary, space: SPACE, values: VALUES, features: summaryFeatures(summary, SPACE), signal: new AbortController().signal };
}

test('host: option, else OLLAMA_HOST, else the local default', () => {
  assert.equal(resolveOllamaHost('http://10.0.0.2:1234/', {}), 'http://10.0.0.2:1234');
  assert.equal(resolveOllamaHost(undefined, { OLLAMA_HOST: '127.0.0.1:5555' }), 'http://127.0.0.1:5555');
  assert.equal(resolveOllamaHost(undefined, {}), DEFAULT_OLLAMA_HOST);
  assert.equal(new OllamaController({ env: { OLLAMA_HOST: 'http://h:1' } }).host, 'http://h:1');
});

test('the chat request carries the system prompt, the summary, the format schema and deliberate options', async () => {
  const s = await server();
  s.enqueue({ reply: { changes: { learning_rate: 0.0001 }, rationale: 'KL is high.', confidence: 0.8 } });
  const inp = input();
  const out = await new OllamaController({ host: s.url }).decide(inp);
  assert.equal(out.failure, undefined);
  assert.deepEqual(out.proposal, { changes: { learning_rate: 0.0001 }, rationale: 'KL is high.', confidence: 0.8 });
  const [req] = s.requestsTo('/api/chat');
  const body = req!.body as Record<string, any>;
  assert.equal(body.model, 'hyperprompt-controller');
  assert.equal(body.stream, false);
  assert.deepEqual(body.format, proposalSchema(SPACE));
  assert.deepEqual(body.options, { temperature: 0.2, num_predict: 384, num_ctx: 4096 });
  assert.equal(body.keep_alive, '30m');
  assert.equal(body.messages.length, 2);
  assert.equal(body.messages[0].role, 'system');
  assert.match(body.messages[0].content, /learning_rate \(changeable\): float in \[1e-6, 0.01\], log scale/);
  assert.match(body.messages[0].content, /n_envs \(fixed for this run\)/);
  assert.deepEqual(body.messages[1], { role: 'user', content: renderSummaryText(inp.summary) });
  assert.equal(out.prompt?.user, renderSummaryText(inp.summary));
  assert.equal(out.rawReply, JSON.stringify({ changes: { learning_rate: 0.0001 }, rationale: 'KL is high.', confidence: 0.8 }));
});

test('streamed replies (NDJSON) are assembled', async () => {
  const s = await server();
  s.enqueue({ reply: { changes: { clip_range: 0.15 }, rationale: 'Streamed.' } });
  const out = await new OllamaController({ host: s.url, stream: true }).decide(input());
  assert.deepEqual(out.proposal?.changes, { clip_range: 0.15 });
  assert.equal((s.requestsTo('/api/chat')[0]!.body as { stream: boolean }).stream, true);
});

test('an absent controller model falls back to the base model, with a message', async () => {
  const s = await server(['qwen2.5:3b']);
  const out = await new OllamaController({ host: s.url }).decide(input());
  assert.ok(out.proposal);
  assert.equal((s.requestsTo('/api/chat')[0]!.body as { model: string }).model, 'qwen2.5:3b');
  assert.match(out.messages!.join('\n'), /"hyperprompt-controller" is not on .*using the base model "qwen2.5:3b"/);
});

test('few-shot demonstrations are retrieved by similarity and sent before the summary', async () => {
  const s = await server();
  const store = new DemonstrationStore();
  const inp = input();
  store.add({ user: 'NEAR STATE', reply: '{"changes":{"learning_rate":0.0002},"rationale":"r"}', features: inp.features, gain: 5 });
  store.add({ user: 'FAR STATE', reply: '{"changes":{},"rationale":"r"}', features: inp.features.map((x) => x + 10), gain: 50 });
  store.add({ user: 'LOSS', reply: '{}', features: inp.features, gain: -3 });
  assert.equal(store.size, 2, 'decisions without a gain are not demonstrations');
  const out = await new OllamaController({ host: s.url, demonstrations: store, fewShot: 1 }).decide(inp);
  const msgs = (s.requestsTo('/api/chat')[0]!.body as { messages: { role: string; content: string }[] }).messages;
  assert.deepEqual(msgs.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
  assert.equal(msgs[1]!.content, 'NEAR STATE');
  assert.equal(out.prompt?.demonstrations, 1);
});

const fallbackCases: { name: string; setup: (s: OllamaTestServer) => void; kind: string; attempts: number; stream?: boolean }[] = [
  { name: 'HTTP 500 twice', setup: (s) => s.enqueue({ fault: 'http-500' }, { fault: 'http-500' }), kind: 'server-error', attempts: 2 },
  { name: 'a stream cut short', setup: (s) => s.enqueue({ fault: 'cut-stream' }, { fault: 'cut-stream' }), kind: 'invalid-reply', attempts: 2, stream: true },
  { name: 'a body cut short', setup: (s) => s.enqueue({ fault: 'cut-stream' }, { fault: 'cut-stream' }), kind: 'invalid-reply', attempts: 2 },
  { name: 'a body that is not JSON', setup: (s) => s.enqueue({ fault: 'invalid-body' }, { fault: 'invalid-body' }), kind: 'invalid-reply', attempts: 2 },
  { name: 'invalid JSON from the model', setup: (s) => s.enqueue({ reply: faultyReplies.invalidJson }, { reply: faultyReplies.invalidJson }), kind: 'invalid-reply', attempts: 2 },
  { name: 'a NaN token', setup: (s) => s.enqueue({ reply: faultyReplies.nanToken }, { reply: faultyReplies.nanToken }), kind: 'invalid-reply', attempts: 2 },
  { name: 'schema-violating JSON', setup: (s) => s.enqueue({ reply: faultyReplies.schemaViolating }, { reply: faultyReplies.schemaViolating }), kind: 'invalid-reply', attempts: 2 },
];

for (const c of fallbackCases) {
  test(`fault: ${c.name} → one retry, then the fallback decides`, async () => {
    const s = await server();
    c.setup(s);
    const ctl = withFallback(new OllamaController({ host: s.url, stream: c.stream, timeoutMs: 5000 }), new HeuristicController());
    const out = await ctl.decide(input());
    assert.equal(out.failure?.kind, c.kind, out.failure?.message);
    assert.equal(out.attempts, c.attempts);
    assert.equal(s.requestsTo('/api/chat').length, c.attempts);
    assert.equal(out.fallback?.controller, 'heuristic');
    assert.ok(out.proposal, 'the fallback proposal');
    assert.ok('learning_rate' in out.proposal.changes, 'KL 0.09 fires the heuristic kl-high rule');
  });
}

test('fault: one HTTP 500, then a good reply: the retry succeeds', async () => {
  const s = await server();
  s.enqueue({ fault: 'http-500' }, { reply: { changes: { n_epochs: 8 }, rationale: 'ok' } });
  const out = await new OllamaController({ host: s.url }).decide(input());
  assert.deepEqual(out.proposal?.changes, { n_epochs: 8 });
  assert.equal(out.attempts, 2);
  assert.match(out.messages!.join('\n'), /attempt 1 failed \(server-error/);
});

test('fault: slow replies time out, are retried once, then the fallback decides', async () => {
  const s = await server(undefined, 2000);
  const ctl = withFallback(new OllamaController({ host: s.url, timeoutMs: 200 }), new HeuristicController());
  const t0 = performance.now();
  const out = await ctl.decide(input());
  const ms = performance.now() - t0;
  assert.equal(out.failure?.kind, 'timeout');
  assert.equal(s.requestsTo('/api/chat').length, 2);
  assert.ok(ms < 1500, `gave up after two 200 ms attempts, not the 2 s reply (${ms} ms)`);
  assert.equal(out.fallback?.controller, 'heuristic');
});

test('fault: connection refused → unreachable → fallback', async () => {
  const url = await refusedUrl();
  const out = await withFallback(new OllamaController({ host: url }), new HeuristicController()).decide(input());
  assert.equal(out.failure?.kind, 'unreachable');
  assert.match(out.failure!.message, /cannot reach Ollama.*ollama serve/);
  assert.equal(out.fallback?.controller, 'heuristic');
});

test('fault: neither the controller nor the base model is present → model-missing, no retry', async () => {
  const s = await server(['llama3.2']);
  const out = await withFallback(new OllamaController({ host: s.url }), new HeuristicController()).decide(input());
  assert.equal(out.failure?.kind, 'model-missing');
  assert.match(out.failure!.message, /controller setup/);
  assert.equal(s.requestsTo('/api/chat').length, 0);
  assert.equal(out.fallback?.controller, 'heuristic');
});

test('a hung request is cancelled when the session aborts', async () => {
  const s = await server();
  s.enqueue({ fault: 'hang' });
  const ac = new AbortController();
  const p = new OllamaController({ host: s.url, timeoutMs: 60_000 }).decide({ ...input(), signal: ac.signal });
  // Abort once the chat request is hanging on the server (a fixed delay could land during the
  // model lookup on a loaded machine, and then test something else).
  while (s.requestsTo('/api/chat').length === 0) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  const out = await p;
  assert.equal(out.failure?.kind, 'aborted');
  assert.equal(out.attempts, 1);
});

test('few-shot: demonstrations logged before the scale-free features were appended still serve, compared on the shared part', () => {
  const store = new DemonstrationStore();
  const live = input().features;
  const old = live.slice(0, live.length - SCALE_FREE_FEATURES.length);
  store.add({ user: 'OLD LOG, NEAR', reply: '{}', features: old, gain: 1 });
  store.add({ user: 'OTHER LAYOUT', reply: '{}', features: live.slice(0, 5), gain: 9 });
  store.add({ user: 'NEW, FAR', reply: '{}', features: live.map((x) => x + 3), gain: 2 });
  assert.deepEqual(store.nearest(live, 3).map((d) => d.user), ['OLD LOG, NEAR', 'NEW, FAR']);
});

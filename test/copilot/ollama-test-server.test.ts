// The Ollama-compatible test server speaks the documented API to the official client.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

let s: OllamaTestServer;
let client: Ollama;
before(async () => {
  s = await startOllamaTestServer({ models: ['qwen2.5:3b'], unpullable: ['nope'] });
  client = new Ollama({ host: s.url });
});
after(() => s.close());

test('version, tags and show', async () => {
  assert.deepEqual(await client.version(), { version: '0.12.6' });
  const tags = await client.list();
  assert.deepEqual(tags.models.map((m) => m.name), ['qwen2.5:3b']);
  const info = await client.show({ model: 'qwen2.5:3b' });
  assert.equal(info.details.format, 'gguf');
  await assert.rejects(client.show({ model: 'missing' }), (e: Error & { status_code?: number }) => e.status_code === 404 && /not found/.test(e.message));
});

test('generate and chat, streamed and not, with scripted replies', async () => {
  s.enqueue({ reply: 'plain text' }, { reply: 'streamed text that is long enough to be split' }, { reply: { a: 1 } });
  const g = await client.generate({ model: 'qwen2.5:3b', prompt: 'hi', stream: false });
  assert.equal(g.response, 'plain text');
  assert.equal(g.done, true);
  let text = '';
  let parts = 0;
  for await (const p of await client.generate({ model: 'qwen2.5:3b', prompt: 'hi', stream: true })) {
    text += p.response;
    parts++;
  }
  assert.equal(text, 'streamed text that is long enough to be split');
  assert.ok(parts > 2, 'several NDJSON lines');
  const c = await client.chat({ model: 'qwen2.5:3b', messages: [{ role: 'user', content: 'x' }], format: { type: 'object' } });
  assert.equal(c.message.content, '{"a":1}');
  assert.deepEqual((s.requestsTo('/api/chat')[0]!.body as { format: unknown }).format, { type: 'object' });
  await assert.rejects(client.chat({ model: 'missing', messages: [] }), /not found, try pulling it first/);
});

test('pull streams progress and adds the model; an unknown one fails; create needs its base', async () => {
  const statuses: string[] = [];
  for await (const p of await client.pull({ model: 'llama3.2', stream: true })) statuses.push(p.status);
  assert.equal(statuses[0], 'pulling manifest');
  assert.equal(statuses.at(-1), 'success');
  assert.ok((await client.list()).models.some((m) => m.name === 'llama3.2:latest'));
  await assert.rejects(client.pull({ model: 'nope' }), /file does not exist/);
  await assert.rejects(client.create({ model: 'x', from: 'absent-base' }), /not found/);
  const r = await client.create({ model: 'x', from: 'llama3.2', system: 'S', stream: false });
  assert.equal(r.status, 'success');
  assert.equal(s.model('x')!.system, 'S');
});

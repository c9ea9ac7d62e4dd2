// `hyperprompt meta ablate` against the Ollama-compatible test server (no real Ollama here):
// four prompt variants over dataset examples, each reply scored against the oracle target.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/command';
import { meta } from '../../src/cli/commands/meta';
import { agrees } from '../../src/meta/ablation';
import { loadDataset } from '../../src/meta/dataset';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd, out: () => o, err: () => e };
}

test('agreement: both keep, or the same parameters moved the same way', () => {
  const v = { learning_rate: 1e-3, clip_range: 0.2 };
  assert.equal(agrees(v, {}, {}), true);
  assert.equal(agrees(v, { learning_rate: 2e-3 }, { learning_rate: 1.25e-3 }), true);
  assert.equal(agrees(v, { learning_rate: 5e-4 }, { learning_rate: 2e-3 }), false);
  assert.equal(agrees(v, { learning_rate: 1e-3 }, {}), true, 'restating a value is keeping it');
  assert.equal(agrees(v, { clip_range: 0.3 }, {}), false);
});

test('meta ablate runs four variants in one command; few-shot sends dataset demonstrations, no-history strips the decision history', async () => {
  const server = await startOllamaTestServer({ models: ['hyperprompt-controller:latest'], defaultReply: { changes: {}, rationale: 'keep' } });
  servers.push(server);
  const dir = mkdtempSync(join(tmpdir(), 'hp-ablate-'));
  const data = join(process.cwd(), 'models', 'embedded', 'dataset');
  const c = io(dir);
  const code = await meta.run(['ablate', '--data', data, '--ollama-host', server.url, '--limit', '3', '--report', join(dir, 'ablation.md'), '--json'], c);
  assert.equal(code, 0, c.err());
  const rows = JSON.parse(c.out()) as { variant: string; examples: number; valid: number; agree: number }[];
  assert.deepEqual(rows.map((r) => r.variant), ['zero-shot, history', 'zero-shot, no history', 'few-shot, history', 'few-shot, no history']);
  // The replies always keep: agreement is exactly the share of evaluation examples whose target keeps.
  const evalSet = loadDataset(data).examples.filter((e) => e.split !== 'train').slice(0, 3);
  const keeps = evalSet.filter((e) => Object.keys(e.target).length === 0).length;
  for (const r of rows) {
    assert.equal(r.examples, 3);
    assert.equal(r.valid, 3);
    assert.equal(r.agree, keeps);
  }
  const chats = server.requestsTo('/api/chat').map((r) => (r.body as { messages: { role: string; content: string }[] }).messages);
  assert.equal(chats.length, 12);
  assert.ok(chats.slice(0, 6).every((m) => m.length === 2), 'zero-shot: system + user');
  assert.ok(chats.slice(6).every((m) => m.length === 6), 'few-shot: system + 2 demonstration pairs + user');
  const withHistory = evalSet.some((e) => e.summary.recentDecisions.length > 0);
  if (withHistory) assert.ok(chats.slice(0, 3).some((m) => !m.at(-1)!.content.includes('recent decisions: none')));
  assert.ok(chats.slice(3, 6).every((m) => m.at(-1)!.content.includes('recent decisions: none')));
  assert.match(readFileSync(join(dir, 'ablation.md'), 'utf8'), /\| few-shot, no history \| 3 \|/);
});

// Issue 8, fault injection at run level: a real built-in PPO run (CartPole-v1, tiny budget) in
// auto mode, driven by the `hyperprompt train` CLI in its own process, with the Ollama test
// server stopping in the middle of its 2nd chat reply. The run completes, the intervals after
// the failure are decided by the configured fallback (embedded), decisions.jsonl reads back
// whole (one record per decision, the failure in it), and the CLI process exits on its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readDecisions } from '../../src/copilot/decisions';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

test('a built-in PPO run in auto mode survives the Ollama server dying mid-stream on its 2nd request', async () => {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  s.enqueue(
    { reply: { changes: { ent_coef: 0.001 }, rationale: 'a little more exploration' } },
    { fault: 'stop-server-mid-stream', reply: { changes: { learning_rate: 0.0002 }, rationale: 'this reply never arrives whole: the server stops half-way through it' } },
  );
  const cwd = mkdtempSync(join(tmpdir(), 'hp-ollama-run-'));
  const out = join(cwd, 'runs');
  const argv = ['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '3072', '--interval', '256', '--seed', '1', '--controller', 'ollama', '--mode', 'auto', '--ollama-host', s.url, '--llm-timeout', '3000', '--out', out, '--json'];
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, CLI, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const code = await new Promise<number | null>((resolve) => {
    // A process held open by a leaked socket or timer would not exit: that fails here.
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  assert.equal(code, 0, `exit ${code}\n${stderr.slice(-3000)}`);
  assert.ok(s.stopped, 'the server stopped mid-stream');
  assert.equal(s.requestsTo('/api/chat').length, 2, 'nothing reached the stopped server');
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; steps: number };
  assert.equal(summary.status, 'completed');
  assert.ok(summary.steps >= 3072);

  const [runId] = readdirSync(out);
  const dir = join(out, runId!);
  assert.equal(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status, 'completed');
  const { records, errors } = readDecisions(join(dir, 'decisions.jsonl'));
  assert.deepEqual(errors, [], 'every line of decisions.jsonl parses');
  const raw = readFileSync(join(dir, 'decisions.jsonl'), 'utf8');
  assert.ok(raw.endsWith('\n'), 'the log ends with a whole line');
  assert.equal(new Set(records.map((r) => r.id)).size, records.length, 'no duplicate records');
  assert.equal(new Set(records.map((r) => r.interval)).size, records.length, 'one decision per interval at most');
  assert.ok(records.length >= 3, `decisions: ${records.length}`);
  const [first, second, ...later] = records;
  // The first decision: Ollama's reply, applied in auto mode.
  assert.equal(first!.failure, null);
  assert.equal(first!.fallback, null);
  assert.deepEqual(first!.applied, { ent_coef: 0.001 });
  // The second: the reply broke off, the retry found no server; the fallback decided.
  assert.equal(second!.failure?.kind, 'unreachable');
  assert.match(second!.messages.join('\n'), /attempt 1 failed \(invalid-reply: Ollama at .* closed the connection in the middle of its reply/);
  assert.equal(second!.fallback?.controller, 'embedded');
  // Every later interval asked again, and fell back again.
  assert.ok(later.length >= 1);
  for (const r of later) {
    assert.equal(r.failure?.kind, 'unreachable', JSON.stringify(r.failure));
    assert.equal(r.fallback?.controller, 'embedded');
  }
  // Nothing applied outside the space's bounds, and what the log says was applied is in configs.jsonl.
  const configs = readFileSync(join(dir, 'configs.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { author: string; values: Record<string, number> });
  const byCopilot = configs.filter((c) => c.author === 'copilot');
  assert.ok(byCopilot.length >= 1);
  assert.ok(byCopilot.length <= records.filter((r) => r.applied).length);
  assert.match(stderr, /ollama failed \(unreachable\).*embedded decided instead/);
});

// Issue 8, fault injection: the Ollama server stopping in the middle of a reply. The Ollama
// test server (real HTTP on loopback) breaks a /api/chat reply four ways: the socket closed
// cleanly, the whole server stopped, half a JSON line and then silence, a TCP reset. For each,
// streamed and not: the controller gives up within its timeout with a message that says what
// happened, the fallback decides, the session goes on (the next interval asks again; one record
// per decision; nothing unhandled), the decision log keeps the failure, and a process running a
// session through every fault exits on its own (no socket or timer left holding it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeuristicController, OllamaController, withFallback } from '../../src/copilot/controllers/index';
import type { ControllerInput } from '../../src/copilot/controllers/types';
import { fileDecisionWriter, readDecisions } from '../../src/copilot/decisions';
import { CopilotSession, type CopilotEvent } from '../../src/copilot/session';
import { TrainingHistory, summaryFeatures } from '../../src/copilot/summary';
import type { HyperparamValues } from '../../src/shared/hyperparams';
import { startOllamaTestServer, type OllamaTestServer, type ScriptStep } from '../support/ollama-test-server';
import { SPACE, VALUES, interval } from '../copilot/fixtures';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(): Promise<OllamaTestServer> {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  return s;
}

// Anything unhandled while these tests run is a failure of the code under test.
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejection'));

/** No request is left hanging on the server: the client closed what it gave up on. */
async function settled(s: OllamaTestServer): Promise<void> {
  const deadline = Date.now() + 1000;
  while (s.activeRequests > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.activeRequests, 0, 'requests still held open on the server');
}

function input(signal = new AbortController().signal): ControllerInput {
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  h.push(interval(0, [12, 18]));
  const summary = h.push(interval(1, [25, 31], { diagnostics: { 'losses/approx_kl': 0.09, 'losses/entropy': 0.6 } }));
  return { summary, space: SPACE, values: VALUES, features: summaryFeatures(summary, SPACE), signal };
}

/** Long enough to be cut into several streamed chunks. */
const REPLY = { changes: { learning_rate: 0.0002 }, rationale: 'The KL is high: lower the learning rate a little to steady the updates.', confidence: 0.7 };
/** For the fault that needs the timeout to end it (a stalled reply); kept short so the test is. */
const TIMEOUT_MS = 600;
/** For faults the client must notice by itself: far longer than they take, so a busy machine cannot turn them into timeouts. */
const GENEROUS_MS = 8000;
const faultOf = (step: ScriptStep): string | undefined => ('fault' in step ? step.fault : undefined);

interface FaultCase {
  name: string;
  step: ScriptStep;
  /** The failure kind after the retry. */
  kind: string;
  message: RegExp;
}

const FAULTS: FaultCase[] = [
  { name: 'the socket closed mid-reply', step: { fault: 'close-mid-stream', reply: REPLY }, kind: 'invalid-reply', message: /closed the connection in the middle of its reply .*check "ollama serve"/ },
  // The retry finds nothing listening.
  { name: 'the whole server stopped mid-reply', step: { fault: 'stop-server-mid-stream', reply: REPLY }, kind: 'unreachable', message: /cannot reach Ollama at .* \(ECONNREFUSED\): start it with "ollama serve"/ },
  { name: 'half a JSON line, then silence', step: { fault: 'partial-then-hang', reply: REPLY }, kind: 'timeout', message: new RegExp(`did not finish its reply within ${TIMEOUT_MS} ms.*raise the timeout`) },
  { name: 'the connection reset mid-reply', step: { fault: 'reset', reply: REPLY }, kind: 'invalid-reply', message: /closed the connection in the middle of its reply .*ECONNRESET/ },
  { name: 'the connection reset before any byte', step: { fault: 'reset', at: 'start' }, kind: 'invalid-reply', message: /closed the connection in the middle of its reply \(ECONNRESET\)/ },
];

for (const stream of [true, false]) {
  for (const f of FAULTS) {
    test(`${stream ? 'streamed' : 'one-body'} reply, ${f.name}: gives up within its timeout with a clear message; the fallback decides`, async () => {
      const s = await server();
      s.enqueue(f.step, f.step);
      const stalls = f.kind === 'timeout';
      const ctl = withFallback(new OllamaController({ host: s.url, stream, timeoutMs: stalls ? TIMEOUT_MS : GENEROUS_MS }), new HeuristicController());
      const t0 = performance.now();
      const out = await ctl.decide(input());
      const ms = performance.now() - t0;
      assert.equal(out.failure?.kind, f.kind, out.failure?.message);
      assert.match(out.failure!.message, f.message);
      assert.match(out.failure!.message, new RegExp(s.url.replace(/[.:/]/g, '\\$&')), 'the message names the host');
      // One retry. A stalled reply: two attempts of at most TIMEOUT_MS each, plus the model lookup;
      // a broken one is noticed at once, without waiting for any timeout.
      assert.equal(out.attempts, 2);
      if (stalls) assert.ok(ms < 2 * TIMEOUT_MS + 3000, `gave up in ${Math.round(ms)} ms`);
      else assert.ok(ms < GENEROUS_MS, `gave up in ${Math.round(ms)} ms, before any timeout`);
      assert.equal(out.fallback?.controller, 'heuristic');
      assert.ok(out.proposal && 'learning_rate' in out.proposal.changes, 'the heuristic proposal (KL 0.09)');
      assert.match(out.messages!.join('\n'), /attempt 1 failed .*; retrying once/);
      if (stream && f.kind !== 'unreachable' && !('at' in f.step)) assert.ok(out.rawReply && out.rawReply.length > 0 && out.rawReply.length < JSON.stringify(REPLY).length, 'the part that arrived is kept');
      if (faultOf(f.step) === 'stop-server-mid-stream') assert.ok(s.stopped);
      else {
        // The client let go of every broken reply (idle keep-alive connections may stay a few seconds).
        await settled(s);
      }
    });
  }
}

test('streamed: an error line mid-reply with the response left open: the failure says what the server said, and the connection is let go at once', async () => {
  const s = await server();
  const step: ScriptStep = { fault: 'error-mid-stream', reply: REPLY, error: 'llama runner process has terminated: signal: killed' };
  s.enqueue(step, step);
  const t0 = performance.now();
  const out = await withFallback(new OllamaController({ host: s.url, stream: true, timeoutMs: 5000 }), new HeuristicController()).decide(input());
  assert.ok(performance.now() - t0 < 5000, 'no wait for the timeout');
  assert.equal(out.attempts, 2);
  assert.match(out.failure!.message, /^Ollama at .*: llama runner process has terminated: signal: killed$/);
  assert.doesNotMatch(out.failure!.message, /closed the connection/, 'the server said what happened; the connection did not drop');
  assert.equal(out.fallback?.controller, 'heuristic');
  // The server never ends these responses: only the client closing them ends the requests.
  await settled(s);
});

test('a reply broken once, then whole on the retry: exactly that one proposal (no partial text mixed in)', async () => {
  for (const stream of [true, false]) {
    const s = await server();
    const good = { changes: { clip_range: 0.15 }, rationale: 'Second try.' };
    s.enqueue({ fault: 'close-mid-stream', reply: REPLY }, { reply: good });
    const out = await new OllamaController({ host: s.url, stream, timeoutMs: GENEROUS_MS }).decide(input());
    assert.deepEqual(out.proposal, good);
    assert.equal(out.rawReply, JSON.stringify(good));
    assert.equal(out.attempts, 2);
  }
});

test('the session keeps working: the server stops mid-stream, later intervals fall back and ask again, a restarted server is used again; one record per decision, failures logged', async () => {
  const s = await server();
  const dir = mkdtempSync(join(tmpdir(), 'hp-ollama-faults-'));
  const log = join(dir, 'decisions.jsonl');
  const applied: { values: HyperparamValues; reason: string }[] = [];
  const events: CopilotEvent[] = [];
  const session = new CopilotSession({
    controller: withFallback(new OllamaController({ host: s.url, stream: true, timeoutMs: GENEROUS_MS }), new HeuristicController()),
    mode: 'auto',
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: VALUES,
    apply: (values, reason) => void applied.push({ values, reason }),
    writer: fileDecisionWriter(log),
    onEvent: (e) => events.push(e),
  });
  const kl = { diagnostics: { 'losses/approx_kl': 0.09, 'losses/entropy': 0.6 } };
  s.enqueue({ reply: { changes: { n_epochs: 8 }, rationale: 'first, whole' } }, { fault: 'stop-server-mid-stream', reply: REPLY });
  session.onInterval(interval(0, [10, 12], kl));
  await session.idle();
  session.onInterval(interval(1, [14, 15], kl));
  await session.idle();
  assert.ok(s.stopped, 'the server stopped in the middle of the second reply');
  session.onInterval(interval(2, [16, 18], kl));
  await session.idle();
  await s.restart();
  s.enqueue({ reply: { changes: { clip_range: 0.18 }, rationale: 'back again' } });
  session.onInterval(interval(3, [20, 22], kl));
  await session.idle();
  session.onInterval(interval(4, [24, 25], kl));
  await session.close();

  const { records, errors } = readDecisions(log);
  assert.deepEqual(errors, []);
  // Interval 4's decision too (the session decides on every interval while nothing is in flight).
  assert.deepEqual(records.map((r) => r.interval), [0, 1, 2, 3, 4]);
  assert.equal(new Set(records.map((r) => r.id)).size, records.length, 'no duplicate records');
  const [r0, r1, r2, r3] = records;
  assert.equal(r0!.fallback, null);
  assert.deepEqual(r0!.applied, { n_epochs: 8 });
  assert.equal(r0!.decidedBy, 'auto');
  // Interval 1: the stream broke off, the retry found no server.
  assert.equal(r1!.failure?.kind, 'unreachable');
  assert.match(r1!.messages.join('\n'), /attempt 1 failed \(invalid-reply: .*closed the connection in the middle of its reply/);
  assert.equal(r1!.fallback?.controller, 'heuristic');
  assert.equal(r1!.decidedBy, 'fallback');
  assert.ok(r1!.prompt, 'the prompt that was sent is kept');
  // Interval 2: asked again (not given up for good), fell back again.
  assert.equal(r2!.failure?.kind, 'unreachable');
  assert.equal(r2!.fallback?.controller, 'heuristic');
  // Interval 3: the restarted server answers.
  assert.equal(r3!.failure, null);
  assert.equal(r3!.fallback, null);
  assert.deepEqual(r3!.applied, { clip_range: 0.18 });
  // Every applied decision was applied once.
  assert.equal(applied.length, records.filter((r) => r.applied).length);
  assert.equal(events.filter((e) => e.type === 'fallback').length, 2);
  assert.ok(events.some((e) => e.type === 'message' && /interval 1: .*heuristic decided instead|ollama failed \(unreachable\)/.test(e.text)));
});

test('a reply that hangs half-way holds no interval hostage: intervals that end meanwhile are noted, the next free one asks again', async () => {
  const s = await server();
  const records: string[] = [];
  const messages: string[] = [];
  const session = new CopilotSession({
    controller: withFallback(new OllamaController({ host: s.url, stream: true, timeoutMs: 1000, retries: 0 }), new HeuristicController()),
    mode: 'auto',
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: VALUES,
    apply: () => {},
    writer: { write: (r) => void records.push(`${r.interval}:${r.failure?.kind ?? 'ok'}:${r.fallback?.controller ?? '-'}`) },
    onEvent: (e) => e.type === 'message' && messages.push(e.text),
  });
  s.enqueue({ fault: 'partial-then-hang', reply: REPLY }, { reply: { changes: { n_epochs: 9 }, rationale: 'fine' } });
  session.onInterval(interval(0, [10]));
  session.onInterval(interval(1, [11]));
  // Both calls returned while the decision for interval 0 is still waiting on the stalled reply.
  assert.equal(session.busy, true, 'onInterval returns without waiting for the controller');
  assert.ok(messages.some((m) => /interval 1: the ollama controller is still working on interval 0; no new decision/.test(m)));
  await session.idle();
  session.onInterval(interval(2, [12]));
  await session.idle();
  session.onInterval(interval(3, [13]));
  await session.idle();
  await session.close();
  assert.deepEqual(records, ['0:timeout:heuristic', '2:ok:-', '3:ok:-']);
});

test('closing the session while a reply hangs half-way cancels it at once (no wait for the timeout)', async () => {
  const s = await server();
  s.enqueue({ fault: 'partial-then-hang', reply: REPLY });
  const written: string[] = [];
  const session = new CopilotSession({
    controller: withFallback(new OllamaController({ host: s.url, stream: true, timeoutMs: 60_000 }), new HeuristicController()),
    mode: 'auto',
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: VALUES,
    apply: () => {},
    writer: { write: (r) => void written.push(`${r.outcome}:${r.failure?.kind}`) },
  });
  session.onInterval(interval(0, [10]));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await session.close();
  assert.ok(performance.now() - t0 < 5000, `closed in ${Math.round(performance.now() - t0)} ms, not after the 60 s timeout`);
  assert.deepEqual(written, ['withdrawn:aborted']);
  await settled(s);
});

/** A freshly started process is slow to make its first request on a busy machine: room for that. */
const CHILD_TIMEOUT_MS = 3000;

test('a process running a session through every mid-stream fault exits on its own (no socket or timer left behind)', async () => {
  const s = await server();
  const script = join(__dirname, 'fixtures', 'ollama-fault-session.ts');
  for (const stream of [true, false]) {
    // One attempt per decision in the child (retries 0): one scripted step per interval.
    for (const f of FAULTS.filter((x) => faultOf(x.step) !== 'stop-server-mid-stream')) s.enqueue(f.step);
    s.enqueue({ reply: { changes: { n_epochs: 9 }, rationale: 'whole' } });
    const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, script, s.url, String(stream), String(CHILD_TIMEOUT_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    let closedAt = 0;
    child.stdout.on('data', () => {
      if (!closedAt && out.includes('"closed"')) closedAt = performance.now();
    });
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    assert.equal(code, 0, `exit ${code}\n${err}\n${out}`);
    const exitedAfter = performance.now() - closedAt;
    assert.ok(closedAt > 0 && exitedAfter < 5000, `exited ${Math.round(exitedAfter)} ms after closing the session`);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { closed: true; records: { interval: number; failure: string | null; fallback: string | null }[] };
    assert.deepEqual(
      result.records.map((r) => r.failure),
      [...FAULTS.filter((x) => faultOf(x.step) !== 'stop-server-mid-stream').map((x) => x.kind), null],
    );
    assert.ok(result.records.slice(0, -1).every((r) => r.fallback === 'heuristic'));
  }
});

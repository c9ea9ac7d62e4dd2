// Security review (docs/security.md), "what the decision log stores and how to turn it off":
// the session writes full records by default (prompt, raw reply, rationale, values); `values`
// leaves out every text sent to or received from the model; `off` writes nothing. The CLI flag
// (`--decision-log`) and the editor setting (`hyperprompt.copilot.decisionLog`) reach the session.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { OllamaController, HeuristicController, withFallback } from '../../src/copilot/controllers/index';
import { type DecisionLogLevel, type DecisionRecord, redactDecision } from '../../src/copilot/decisions';
import { CopilotSession } from '../../src/copilot/session';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';
import { readSettings } from '../../src/host/settings';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';
import { SPACE, VALUES, interval } from '../copilot/fixtures';

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const SECRET_RATIONALE = 'rationale-text-from-the-model';

async function decide(level: DecisionLogLevel | undefined): Promise<{ written: DecisionRecord[]; s: OllamaTestServer; reasons: string[] }> {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  s.enqueue({ reply: { changes: { n_epochs: 8 }, rationale: SECRET_RATIONALE } }, { reply: '{"changes": {"n_epochs": 9}, "rationale": "cut-off-reply-text' }, { reply: '{"changes": {"n_epochs": 9}, "rationale": "cut-off-reply-text' });
  const written: DecisionRecord[] = [];
  const reasons: string[] = [];
  const session = new CopilotSession({
    controller: withFallback(new OllamaController({ host: s.url }), new HeuristicController()),
    mode: 'auto',
    algo: 'ppo',
    env: 'CartPole-v1',
    space: SPACE,
    values: VALUES,
    apply: (_values, reason) => void reasons.push(reason),
    writer: { write: (r) => void written.push(r) },
    ...(level ? { decisionLog: level } : {}),
  });
  session.onInterval(interval(0, [10, 12]));
  await session.idle();
  session.onInterval(interval(1, [14, 16], { diagnostics: { 'losses/approx_kl': 0.09 } }));
  await session.idle();
  await session.close();
  return { written, s, reasons };
}

test('default (full): the prompt, the raw reply and the rationale are recorded with the values', async () => {
  const { written, reasons } = await decide(undefined);
  assert.equal(written.length, 2);
  assert.match(reasons[0]!, new RegExp(SECRET_RATIONALE), 'the config version says why');
  const [ok, failed] = written;
  assert.match(ok!.prompt!.system, /hyperparameter/i);
  assert.match(ok!.prompt!.user, /algo: ppo {2}env: CartPole-v1/);
  assert.match(ok!.rawReply!, new RegExp(SECRET_RATIONALE));
  assert.equal(ok!.proposal!.rationale, SECRET_RATIONALE);
  assert.deepEqual(ok!.applied, { n_epochs: 8 });
  assert.match(JSON.stringify(failed), /cut-off-reply-text/, 'a reply that did not parse is quoted in full mode');
});

test('values: no text sent to or received from the model is written; values, outcomes and failure kinds are', async () => {
  const { written, reasons } = await decide('values');
  assert.equal(written.length, 2);
  assert.doesNotMatch(reasons.join('\n'), new RegExp(SECRET_RATIONALE), 'nor in the config version reason');
  assert.match(reasons[0]!, /co-pilot ollama, interval 0, applied by auto/);
  const text = JSON.stringify(written);
  assert.doesNotMatch(text, new RegExp(SECRET_RATIONALE));
  assert.doesNotMatch(text, /cut-off-reply-text/);
  assert.doesNotMatch(text, /algo: ppo/, 'the summary (the prompt) is not written');
  const [ok, failed] = written;
  assert.equal(ok!.prompt, null);
  assert.equal(ok!.rawReply, null);
  assert.deepEqual(ok!.applied, { n_epochs: 8 });
  assert.equal(ok!.outcome, 'applied');
  assert.equal(failed!.failure?.kind, 'invalid-reply');
  assert.equal(failed!.fallback?.controller, 'heuristic');
  assert.ok(failed!.messages.some((m) => /decision log level "values"/.test(m)));
});

test('off: nothing is written, and the session still decides and applies', async () => {
  const { written, s, reasons } = await decide('off');
  assert.deepEqual(written, []);
  assert.equal(reasons.length, 2, 'both decisions applied');
  assert.doesNotMatch(reasons.join('\n'), new RegExp(SECRET_RATIONALE));
  assert.ok(s.requestsTo('/api/chat').length >= 2);
});

test('redactDecision never changes the record it is given (the session keeps it for few-shot examples)', () => {
  const rec = { prompt: { system: 's', user: 'u', demonstrations: 0, model: 'm' }, rawReply: 'r', proposal: { changes: {}, rationale: 'why' }, messages: [] as string[], failure: null, fallback: null } as unknown as DecisionRecord;
  const before = JSON.stringify(rec);
  assert.equal(redactDecision(rec, 'off'), null);
  assert.equal(redactDecision(rec, 'values')!.prompt, null);
  assert.deepEqual(redactDecision(rec, 'full'), rec);
  assert.equal(JSON.stringify(rec), before);
});

const SCRIPTED = join(__dirname, '..', 'runs', 'fixtures', 'scripted-trainer.mjs');

function io(): CliIO & { err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let e = '';
  stdout.resume();
  stderr.on('data', (b) => (e += b));
  return { stdout, stderr, stdin: new PassThrough(), env: { ...process.env, SCRIPTED_DELAY_MS: '20' }, cwd: mkdtempSync(join(tmpdir(), 'hp-declog-')), err: () => e };
}

test('CLI: --decision-log off writes no decision records; values writes them without model text; a bad level exits 2', async () => {
  for (const level of ['off', 'values'] as const) {
    const t = io();
    const code = await main(['train', '--trainer', `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED)}`, '--env', 'FakeEnv-v0', '--steps', '2000', '--interval', '500', '--controller', 'heuristic', '--mode', 'auto', '--decision-log', level], t);
    assert.equal(code, 0, t.err());
    const root = join(t.cwd, '.hyperprompt', 'runs');
    const [id] = readdirSync(root);
    const file = join(root, id!, 'decisions.jsonl');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (level === 'off') assert.deepEqual(lines, []);
    else {
      assert.ok(lines.length >= 1, 'the heuristic decided at least once');
      for (const l of lines) {
        const r = JSON.parse(l) as DecisionRecord;
        assert.equal(r.prompt, null);
        assert.equal(r.rawReply, null);
      }
    }
  }
  const t = io();
  assert.equal(await main(['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--controller', 'heuristic', '--decision-log', 'some'], t), 2);
  assert.match(t.err(), /--decision-log must be one of full, values, off/);
});

test('editor setting: hyperprompt.copilot.decisionLog is read and checked (default full; a bad value is reported)', () => {
  const problems: string[] = [];
  assert.equal(readSettings(() => undefined).decisionLog, 'full');
  assert.equal(readSettings((k) => (k === 'copilot.decisionLog' ? 'off' : undefined)).decisionLog, 'off');
  assert.equal(readSettings((k) => (k === 'copilot.decisionLog' ? 'none' : undefined), (p) => problems.push(p)).decisionLog, 'full');
  assert.match(problems.join('\n'), /hyperprompt\.copilot\.decisionLog = "none" is not valid/);
});

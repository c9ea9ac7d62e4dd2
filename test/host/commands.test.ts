// Commands through activate() and the vscode test double, with real runs (the scripted
// trainer as a user trainer command): Start Run from a run file (refused in an untrusted
// workspace), again with the last settings, stop, diff with previous, delete with confirmation.
import './use-vscode-mock';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext, mock, Uri } from './vscode-mock';
import { SCRIPTED_COMMAND, tempDir, waitFor } from './fixtures';
import type { RunController } from '../../src/host/run-controller';

let ctx: ReturnType<typeof fakeContext>;
let runs: RunController;
let ws: string;

beforeEach(async () => {
  mock.reset();
  process.env.SCRIPTED_DELAY_MS = '10';
  ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  mkdirSync(join(ws, 'runs'));
  const file = join(ws, 'runs', 'fake.hprun.json');
  writeFileSync(file, JSON.stringify({ env: 'FakeEnv-v0', algo: 'fake', steps: 5_000_000, seed: 4, trainer: SCRIPTED_COMMAND, hyperparams: { gamma: 0.95 } }));
  mock.files = [Uri.file(file)];
  ctx = fakeContext(join(__dirname, '..', '..'), tempDir());
  const ext = await import('../../src/extension');
  runs = ext.activate(ctx as never).runs;
});

afterEach(async () => {
  const ext = await import('../../src/extension');
  await ext.deactivate();
  for (const d of ctx.subscriptions) d.dispose();
});

const run = (id: string, ...args: unknown[]) => mock.commands.get(id)!(...args);
const pick = (re: RegExp) => (items: readonly { label: string }[]) => {
  const hit = items.find((i) => re.test(i.label));
  if (!hit) throw new Error(`no quick pick item matches ${re}: ${items.map((i) => i.label).join(' | ')}`);
  return hit;
};

test('Start Run from a run file needs a trusted workspace for its trainer command', async () => {
  mock.trusted = false;
  mock.quickPicks = [pick(/run file/), pick(/fake\.hprun\.json/)];
  await run('hyperprompt.startRun');
  assert.equal(runs.activeRunId, undefined);
  assert.match(mock.messages.at(-1)!.text, /trainer command; user trainers run only in a trusted workspace/);
});

test('Start Run from a run file, stop, then again with the last settings; diff and delete', async () => {
  mock.quickPicks = [pick(/run file/), pick(/fake\.hprun\.json/), pick(/^Static/), pick(/^Off/)];
  const id = (await run('hyperprompt.startRun')) as string;
  assert.ok(id, `a run started (messages: ${JSON.stringify(mock.messages)})`);
  assert.equal(runs.activeRunId, id);
  assert.ok(mock.executed.some((e) => e.command === 'hyperprompt.panel.focus'), 'the panel is revealed');
  const info = await waitFor('running with the run file values', () => {
    const r = runs.runInfo(id);
    return r?.status === 'running' && r.step > 0 && r;
  });
  assert.equal(info.mode, 'off');
  assert.equal(runs.activeRun()!.values.gamma, 0.95);
  await run('hyperprompt.stopRun');
  assert.equal(runs.runInfo(id)?.status, 'stopped');

  // The last settings come first the next time.
  mock.quickPicks = [pick(/Again with the last settings/)];
  const id2 = (await run('hyperprompt.startRun')) as string;
  assert.notEqual(id2, id);
  await waitFor('second run said hello', () => runs.activeRun()?.hello);
  await run('hyperprompt.editHyperparameters'); // cancelled at the first pick: nothing happens
  runs.editHyperparameters({ learning_rate: 0.0001 });
  await waitFor('second version', () => runs.versions(id2).length === 2);
  const versions = runs.versions(id2);
  await run('hyperprompt.diffWithPrevious', { kind: 'version', runId: id2, record: { ...versions[1]!, values: versions[1]!.values }, previous: versions[0] });
  const diff = mock.executed.find((e) => e.command === 'vscode.diff')!;
  assert.deepEqual((diff.args as Uri[]).slice(0, 2).map(String), [`hyperprompt:/${id2}/v${versions[0]!.version}.json`, `hyperprompt:/${id2}/v${versions[1]!.version}.json`]);

  // A live run cannot be deleted; a stopped one only after confirming.
  const node = { kind: 'run', run: runs.listRuns().runs.find((r) => r.id === id)! };
  mock.messageAnswers = [undefined];
  await run('hyperprompt.deleteRun', node);
  assert.ok(existsSync(join(ws, '.hyperprompt', 'runs', id)), 'kept when not confirmed');
  mock.messageAnswers = ['Delete'];
  await run('hyperprompt.deleteRun', node);
  assert.equal(existsSync(join(ws, '.hyperprompt', 'runs', id)), false);
  await run('hyperprompt.deleteRun', { kind: 'run', run: runs.listRuns().runs.find((r) => r.id === id2)! });
  assert.match(mock.messages.at(-1)!.text, /is running; stop it before deleting it/);
  await run('hyperprompt.stopRun');
});

test('proposal commands without a proposal say so', async () => {
  await run('hyperprompt.acceptProposal');
  assert.match(mock.messages.at(-1)!.text, /no co-pilot proposal is waiting/);
  await run('hyperprompt.pauseRun');
  assert.match(mock.messages.at(-1)!.text, /no running HyperPrompt run.*Start Run/);
});

// Runs left behind by an editor that went away: after activation the user is offered to
// resume them (once, one notification), and "Resume…" goes through Resume Interrupted Run.
// The interrupted run is a real one (the scripted trainer through a RunManager) whose run.json
// is left as a killed host leaves it: status running, trainer and host pids gone.
import './use-vscode-mock';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fakeContext, mock, Uri } from './vscode-mock';
import { tempDir, waitFor } from './fixtures';
import { RunManager } from '../../src/runs/manager';
import { RunStore } from '../../src/runs/store';
import { offerInterruptedRuns } from '../../src/host/interrupted-runs';
import { scriptedSpec } from '../runs/helpers';

let ctx: ReturnType<typeof fakeContext> | undefined;

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function leaveInterrupted(root: string, label: string): Promise<string> {
  const m = new RunManager({ root, env: { ...process.env, SCRIPTED_DELAY_MS: '0' } });
  const run = m.start(scriptedSpec({ label, totalSteps: 1000, checkpointEvery: 500 }));
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', exit.message);
  const store = new RunStore(root);
  const rec = store.read(run.id);
  const pid = deadPid();
  store.write({ ...rec, status: 'running', pid, hostPid: pid });
  assert.equal(store.list().runs.find((r) => r.id === run.id)?.status, 'interrupted');
  return run.id;
}

beforeEach(() => mock.reset());
afterEach(async () => {
  const ext = await import('../../src/extension');
  await ext.deactivate();
  for (const d of ctx?.subscriptions ?? []) d.dispose();
  ctx = undefined;
});

test('after activation, an interrupted run is offered for resuming once, naming it and its checkpoint', async () => {
  const ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const id = await leaveInterrupted(join(ws, '.hyperprompt', 'runs'), 'left behind');
  mock.messageAnswers.push('Not Now');
  ctx = fakeContext(join(__dirname, '..', '..'), tempDir());
  const ext = await import('../../src/extension');
  const { runs } = ext.activate(ctx as never);
  assert.equal(mock.messages.filter((m) => /interrupted/.test(m.text)).length, 0, 'not during activation itself');
  const msg = await waitFor('the offer', () => mock.messages.find((m) => /interrupted/.test(m.text)));
  assert.match(msg.text, /^HyperPrompt: run left behind \(step 1,000 of 1,000\) was interrupted when its editor closed\. Resume it from its checkpoint at step 1,000\?$/);
  assert.deepEqual(msg.items, ['Resume…', 'Not Now']);
  assert.ok(!mock.executed.some((e) => e.command === 'hyperprompt.resumeInterruptedRun'), '"Not Now" resumes nothing');

  // "Resume…" hands that very run to the Resume Interrupted Run command.
  const calls: unknown[][] = [];
  mock.messageAnswers.push('Resume…');
  const choice = await offerInterruptedRuns(runs, async (...a: unknown[]) => calls.push(a));
  assert.equal(choice, 'resume');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]![0], 'hyperprompt.resumeInterruptedRun');
  assert.equal((calls[0]![1] as { kind: string; run: { id: string } }).run.id, id);
});

test('several interrupted runs: one notification; none: no notification', async () => {
  const root = join(tempDir(), 'runs');
  await leaveInterrupted(root, 'a');
  await leaveInterrupted(root, 'b');
  const source = { listRuns: () => new RunStore(root).list(), liveRun: () => undefined };
  const calls: unknown[][] = [];
  mock.messageAnswers.push('Resume…');
  assert.equal(await offerInterruptedRuns(source, async (...a: unknown[]) => calls.push(a)), 'resume');
  assert.equal(mock.messages.length, 1);
  assert.match(mock.messages[0]!.text, /^HyperPrompt: 2 runs were interrupted when their editor closed\. Resume one from its last checkpoint\?$/);
  assert.deepEqual(calls, [['hyperprompt.resumeInterruptedRun', undefined]], 'the command asks which one');
  const empty = { listRuns: () => new RunStore(join(tempDir(), 'none')).list(), liveRun: () => undefined };
  assert.equal(await offerInterruptedRuns(empty), 'none');
  assert.equal(mock.messages.length, 1);
});

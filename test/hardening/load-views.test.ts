// Fixes from the load bench (bench/load.ts), each pinned here with a small, fast case:
//  - the side panel follows the active run: selecting another run (a Runs tree row, a run
//    started) sends that run's snapshot, not a `run` message under the previous curves;
//    clicks while a snapshot is read are coalesced;
//  - the Runs tree reads each run.json once per redraw, scans best returns a few at a time,
//    and redraws only the row a finished scan belongs to;
//  - the status bar item follows a live run's step at most once a second (each change is a
//    message to the window), and a new run, status or mode at once.
import '../host/use-vscode-mock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { fakeWebviewView, mock, Uri, type TreeItem } from '../host/vscode-mock';
import { controllerFor, SCRIPTED_COMMAND, tempDir, waitFor } from '../host/fixtures';
import { SidePanelProvider } from '../../src/host/side-panel';
import { RunsTreeProvider, type RunsTreeNode } from '../../src/host/runs-tree';
import { RunStatusBar } from '../../src/host/status-bar';
import type { RunController } from '../../src/host/run-controller';
import { appendLines } from '../../src/runs/jsonl';
import type { PanelState, RunInfo } from '../../src/shared/webview-protocol';

beforeEach(() => mock.reset());

/** A finished run on disk with `points` episode returns (the best is `points - 1 + offset`). */
function finishedRun(rc: RunController, seed: number, points: number, offset = 0): string {
  const store = rc.manager.store;
  const rec = store.create({ env: 'CartPole-v1', algo: 'ppo', totalSteps: points * 10, seed, values: {}, interval: 500, checkpointEvery: 0, trainer: { kind: 'builtin' } }, new Date(Date.UTC(2026, 0, 1, 0, seed)));
  store.appendConfig(rec.id, { version: 1, step: 0, values: { learning_rate: 0.001 }, author: 'initial', reason: 'defaults' });
  rec.status = 'completed';
  rec.step = points * 10;
  store.write(rec);
  appendLines(store.paths(rec.id).metrics, Array.from({ length: points }, (_, i) => JSON.stringify({ step: (i + 1) * 10, 'charts/episodic_return': i + offset })));
  return rec.id;
}

type Posted = { type: string; runId?: string; run?: { id: string } | null; state?: PanelState };

function panelFor(rc: RunController) {
  const provider = new SidePanelProvider(Uri.file('/ext') as unknown as vscode.Uri, rc, () => undefined);
  const view = fakeWebviewView();
  provider.resolveWebviewView(view as unknown as vscode.WebviewView);
  const posted = () => view.webview.posted as Posted[];
  const snapshots = () => posted().filter((m) => m.type === 'snapshot');
  return { provider, view, posted, snapshots };
}

/** Every `run` and `metrics` message is about the run of the snapshot before it. */
function assertFollowsSnapshots(posted: Posted[]): void {
  let shown: string | null | undefined;
  for (const [i, m] of posted.entries()) {
    if (m.type === 'snapshot') shown = m.state!.run?.id ?? null;
    else if (m.type === 'run') assert.equal(m.run?.id ?? null, shown, `message ${i}: a "run" message for ${m.run?.id} while the page shows ${shown}`);
    else if (m.type === 'metrics') assert.equal(m.runId, shown, `message ${i}: metrics of ${m.runId} while the page shows ${shown}`);
  }
}

test('side panel: selecting another run sends its snapshot (series, versions); clicks during a read are coalesced', async () => {
  const rc = controllerFor(tempDir());
  const a = finishedRun(rc, 1, 300);
  const b = finishedRun(rc, 2, 50);
  const { provider, view, posted, snapshots } = panelFor(rc);
  view.webview.receive({ type: 'ready', protocol: 1 });
  await waitFor('first snapshot', () => snapshots().length === 1);
  assert.equal(snapshots()[0]!.state!.run, null);

  rc.setActive(a);
  const snapA = await waitFor('snapshot of run a', () => snapshots().find((s) => s.state!.run?.id === a), 5000);
  const ret = snapA.state!.series.find((c) => c.key === 'charts/episodic_return');
  assert.equal(ret?.steps.length, 300, "run a's whole return curve");
  assert.deepEqual(snapA.state!.versions.map((v) => v.version), [1]);

  // Three clicks while the first read is under way: one more read, for the last click.
  const before = snapshots().length;
  rc.setActive(b);
  rc.setActive(a);
  rc.setActive(b);
  await waitFor('snapshot of run b', () => snapshots().at(-1)!.state!.run?.id === b, 5000);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(snapshots().length - before <= 2, `${snapshots().length - before} snapshots for 3 quick clicks`);
  assert.equal(snapshots().at(-1)!.state!.run?.id, b);
  assert.equal(snapshots().at(-1)!.state!.series.find((c) => c.key === 'charts/episodic_return')?.steps.length, 50);
  assertFollowsSnapshots(posted());
  provider.dispose();
});

test('side panel: a run started after another gets its own snapshot; its metrics never land on the previous curves', async () => {
  const rc = controllerFor(tempDir(), undefined, { SCRIPTED_DELAY_MS: '5' });
  const old = finishedRun(rc, 3, 100);
  const { provider, view, posted, snapshots } = panelFor(rc);
  view.webview.receive({ type: 'ready', protocol: 1 });
  await waitFor('first snapshot', () => snapshots().length === 1);
  rc.setActive(old);
  await waitFor('snapshot of the old run', () => snapshots().some((s) => s.state!.run?.id === old));
  const run = rc.start({ env: 'FakeEnv-v0', algo: 'fake', controller: 'static', mode: 'off', totalSteps: 3000, seed: 1, trainer: { kind: 'command', command: SCRIPTED_COMMAND } });
  await run.finished;
  await waitFor('metrics of the new run', () => posted().some((m) => m.type === 'metrics' && m.runId === run.id));
  assert.ok(snapshots().some((s) => s.state!.run?.id === run.id), 'the new run has a snapshot');
  assertFollowsSnapshots(posted());
  provider.dispose();
});

test('runs tree: one run.json read per row per redraw, best returns scanned a few at a time, a finished scan redraws its row alone', async () => {
  const rc = controllerFor(tempDir());
  const n = 30;
  const ids = Array.from({ length: n }, (_, i) => finishedRun(rc, i, 200, i * 3));
  const store = rc.manager.store;
  let reads = 0;
  const read = store.read.bind(store);
  store.read = (id: string) => (reads++, read(id));
  let infos = 0;
  const runInfo = rc.runInfo.bind(rc);
  rc.runInfo = (id: string) => (infos++, runInfo(id));
  const tree = new RunsTreeProvider(rc);
  const fired: (RunsTreeNode | undefined)[] = [];
  tree.onDidChangeTreeData((node) => fired.push(node));

  const rows = tree.getChildren();
  for (const r of rows) tree.getTreeItem(r);
  assert.equal(rows.length, n);
  assert.equal(infos, 0, 'no runInfo (a second run.json read) for runs that are not live');
  assert.ok(reads <= n + 2, `${reads} run.json reads while drawing ${n} rows (the listing, and at most 2 scans started)`);

  await tree.scansSettled();
  assert.equal(fired.length, n, 'one redraw per scanned row');
  assert.ok(fired.every((f) => f !== undefined && f.kind === 'run'), 'rows redrawn alone, never the whole tree');
  for (const [i, id] of ids.entries()) {
    const node = rows.find((r) => r.kind === 'run' && r.run.id === id)!;
    assert.match((tree.getTreeItem(node) as unknown as TreeItem).description!, new RegExp(` · best ${199 + i * 3}$`));
  }
  // Nothing changed on disk: drawing again scans nothing.
  for (const r of tree.getChildren()) tree.getTreeItem(r);
  await tree.scansSettled();
  assert.equal(fired.length, n);
  tree.dispose();
});

test('status bar: the steps of a live run redraw the item at most once a second; status and mode changes at once', async () => {
  const rc = controllerFor(tempDir());
  const bar = new RunStatusBar(rc);
  const item = mock.statusItems.at(-1)!;
  const texts: string[] = [];
  let text = item.text;
  Object.defineProperty(item, 'text', { get: () => text, set: (t: string) => ((text = t), texts.push(t)) });
  const emit = (rc as unknown as { emit(name: string, e: unknown): void }).emit.bind(rc);
  const info = (step: number, over: Partial<RunInfo> = {}): RunInfo => ({ id: 'r1', label: 'r1', env: 'CartPole-v1', algo: 'ppo', controller: 'static', mode: 'ask', status: 'running', step, totalSteps: 100_000, ...over });
  emit('run', info(0));
  assert.equal(texts.length, 1, 'a new run shows at once');
  for (let i = 1; i <= 20; i++) emit('run', info(i * 1000));
  assert.equal(texts.length, 1, 'steps wait');
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(texts.length, 2, 'twenty batches, one redraw');
  assert.match(text, / · 20k · ask$/, 'showing the latest step');
  emit('run', info(21_000, { status: 'paused' }));
  assert.equal(texts.length, 3);
  assert.match(text, /debug-pause/);
  emit('run', info(21_000, { status: 'paused', mode: 'auto' }));
  assert.match(text, / · auto$/);
  emit('run', info(22_000, { status: 'paused', mode: 'auto' }));
  bar.dispose();
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(texts.length, 4, 'nothing redrawn after dispose');
});

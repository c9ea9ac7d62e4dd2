// The Runs tree, the hyperprompt: diff documents, the status bar text and the settings reader,
// against runs written by the real RunStore in a temp folder.
import './use-vscode-mock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mock, Uri, TreeItem } from './vscode-mock';
import { RunsTreeProvider, type RunsTreeNode } from '../../src/host/runs-tree';
import { ConfigDocumentProvider, diffVersions, parseConfigUri, versionUri } from '../../src/host/config-documents';
import { statusText } from '../../src/host/status-bar';
import { readSettings } from '../../src/host/settings';
import { Disposable } from '../../src/host/lifecycle';
import { controllerFor, tempDir } from './fixtures';
import type * as vscode from 'vscode';

beforeEach(() => mock.reset());

function seededRuns() {
  const rc = controllerFor(tempDir());
  const store = rc.manager.store;
  const spec = { env: 'CartPole-v1', algo: 'ppo', totalSteps: 10_000, seed: 1, values: {}, interval: 500, checkpointEvery: 0, trainer: { kind: 'builtin' as const } };
  const rec = store.create(spec);
  store.appendConfig(rec.id, { version: 1, step: 0, values: { learning_rate: 0.001, gamma: 0.99 }, author: 'initial', reason: 'defaults' });
  store.appendConfig(rec.id, { version: 2, step: 2048, values: { learning_rate: 0.0005, gamma: 0.99 }, author: 'copilot', reason: 'KL high', changed: { learning_rate: 0.0005 } });
  rec.status = 'completed';
  rec.step = 10_000;
  store.write(rec);
  return { rc, id: rec.id };
}

test('runs tree: runs -> versions (newest first) -> values, with context values for the menus', () => {
  const { rc, id } = seededRuns();
  const tree = new RunsTreeProvider(rc);
  const [runNode] = tree.getChildren();
  assert.equal(runNode!.kind, 'run');
  const runItem = tree.getTreeItem(runNode!) as unknown as TreeItem;
  assert.equal(runItem.label, 'CartPole-v1 · ppo');
  assert.match(runItem.description!, /^completed · step 10,000/);
  assert.equal(runItem.contextValue, 'hyperprompt.run.completed');
  assert.equal((runItem.iconPath as { id: string }).id, 'pass');
  const versions = tree.getChildren(runNode);
  assert.deepEqual(versions.map((v) => (v.kind === 'version' ? v.record.version : -1)), [2, 1]);
  const v2 = tree.getTreeItem(versions[0]!) as unknown as TreeItem;
  assert.equal(v2.label, 'v2 · step 2,048');
  assert.equal(v2.description, 'copilot · learning_rate · KL high');
  assert.equal(v2.contextValue, 'hyperprompt.version');
  assert.equal((tree.getTreeItem(versions[1]!) as unknown as TreeItem).contextValue, 'hyperprompt.version.first');
  const values = tree.getChildren(versions[0]);
  const items = values.map((n) => tree.getTreeItem(n) as unknown as TreeItem);
  assert.deepEqual(items.map((i) => [i.label, i.description]), [['gamma = 0.99', undefined], ['learning_rate = 0.0005', 'changed']]);
  assert.equal(id.length > 0, true);
  tree.dispose();
});

test('runs tree: metrics of a run redraw that run row alone, at most every 2 s', async () => {
  const { rc, id } = seededRuns();
  const tree = new RunsTreeProvider(rc);
  const [runNode] = tree.getChildren();
  const fired: (RunsTreeNode | undefined)[] = [];
  tree.onDidChangeTreeData((n) => fired.push(n));
  // The controller's emitter is protected; a run's metrics batches arrive through it.
  const emit = (rc as unknown as { emit(name: string, e: unknown): void }).emit.bind(rc);
  for (let i = 0; i < 5; i++) emit('metrics', { runId: id, chunks: [] });
  assert.deepEqual(fired, [], 'nothing redrawn at once');
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(fired.length, 1, 'five batches, one redraw');
  assert.equal(fired[0], runNode, 'the run row itself, not the whole tree');
  tree.dispose();
});

test('diff documents: URIs are checked, versions render sorted JSON, vscode.diff gets both', async () => {
  const { rc, id } = seededRuns();
  const docs = new ConfigDocumentProvider(() => rc.manager.store);
  const uri = versionUri(id, 2);
  assert.deepEqual(parseConfigUri(uri), { runId: id, version: 2 });
  assert.equal(parseConfigUri({ scheme: 'hyperprompt', path: '/../../etc/v1.json' }), undefined);
  assert.equal(parseConfigUri({ scheme: 'file', path: `/${id}/v1.json` }), undefined);
  const doc = JSON.parse(docs.provideTextDocumentContent(uri as unknown as vscode.Uri));
  assert.deepEqual(doc, { run: id, version: 2, step: 2048, author: 'copilot', reason: 'KL high', values: { gamma: 0.99, learning_rate: 0.0005 } });
  assert.match(docs.provideTextDocumentContent(versionUri(id, 9) as unknown as vscode.Uri), /has no configuration version 9 \(it has 1, 2\)/);
  assert.match(docs.provideTextDocumentContent(Uri.from({ scheme: 'hyperprompt', path: '/nope/v1.json' }) as unknown as vscode.Uri), /no run "nope"/);
  const history = JSON.parse(docs.provideTextDocumentContent(Uri.from({ scheme: 'hyperprompt', path: `/${id}/history.json` }) as unknown as vscode.Uri));
  assert.equal(history.versions.length, 2);
  await diffVersions({ runId: id, version: 1 }, { runId: id, version: 2 });
  const call = mock.executed.at(-1)!;
  assert.equal(call.command, 'vscode.diff');
  assert.deepEqual((call.args as Uri[]).slice(0, 2).map((u) => u.toString()), [`hyperprompt:/${id}/v1.json`, `hyperprompt:/${id}/v2.json`]);
  assert.equal(call.args[2], `${id}: v1 ↔ v2`);
  docs.dispose();
});

test('status bar text: no run, a running run with a pending proposal', () => {
  assert.equal(statusText(null, null).text, '$(beaker) HyperPrompt');
  const run = { id: 'r', label: 'CartPole-v1 · ppo · r', env: 'CartPole-v1', algo: 'ppo', controller: 'ollama', mode: 'ask' as const, status: 'running' as const, step: 12_345, totalSteps: 100_000, recentReturn: 212.25 };
  const s = statusText(run, { id: 'p', runId: 'r', step: 12_288, controller: 'ollama', changes: [], rationale: '' });
  assert.equal(s.text, '$(sync~spin) CartPole-v1 ppo · 12.3k · R 212.3 · ask · $(lightbulb) 1 proposal');
  assert.equal(s.warn, true);
  assert.match(s.tooltip, /step 12,345 of 100,000/);
  assert.equal(statusText(run, { id: 'p', runId: 'other', step: 1, controller: 'x', changes: [], rationale: '' }).warn, false);
});

test('settings: wrong types and ranges fall back to defaults, and say so', () => {
  const problems: string[] = [];
  const values: Record<string, unknown> = { 'copilot.interval': 3, 'copilot.defaultMode': 'turbo', 'ollama.host': 'http://gpu-box:11434', 'chart.pointBudget': 5000 };
  const s = readSettings((k) => values[k], (p) => problems.push(p));
  assert.equal(s.interval, 2048);
  assert.equal(s.defaultMode, 'ask');
  assert.equal(s.ollamaHost, 'http://gpu-box:11434');
  assert.equal(s.chartPointBudget, 5000);
  assert.deepEqual(problems.map((p) => p.split(' = ')[0]), ['setting hyperprompt.copilot.interval', 'setting hyperprompt.copilot.defaultMode']);
});

test('Disposable: registrations after dispose are disposed at once', () => {
  const log: string[] = [];
  class Owner extends Disposable {
    add(name: string) {
      this._register({ dispose: () => log.push(name) });
    }
  }
  const o = new Owner();
  o.add('a');
  o.add('b');
  o.dispose();
  assert.deepEqual(log, ['b', 'a']);
  o.add('late');
  assert.deepEqual(log, ['b', 'a', 'late']);
  o.dispose();
  assert.equal(log.length, 3);
});

test('runs tree: a new version in one run redraws that run alone; other changes redraw the list', async () => {
  const { rc, id } = seededRuns();
  const tree = new RunsTreeProvider(rc);
  const [runNode] = tree.getChildren();
  const fired: (RunsTreeNode | undefined)[] = [];
  tree.onDidChangeTreeData((node) => fired.push(node));
  (rc as unknown as { emit(e: 'runsChanged', v: unknown): void }).emit('runsChanged', { runId: id, kind: 'versions' });
  assert.deepEqual(fired, [runNode], 'that run node, at once');
  (rc as unknown as { emit(e: 'runsChanged', v: unknown): void }).emit('runsChanged', { runId: 'not-listed', kind: 'versions' });
  (rc as unknown as { emit(e: 'runsChanged', v: unknown): void }).emit('runsChanged', undefined);
  await new Promise((r) => setTimeout(r, 400)); // the list redraw is coalesced (300 ms)
  assert.deepEqual(fired.slice(1), [undefined], 'an unknown run or a general change: one whole-list redraw');
  tree.dispose();
});

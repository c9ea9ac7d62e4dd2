// activate() against the vscode test double: every command package.json declares is
// registered (and none undeclared), the views and the diff scheme are registered, settings
// match package.json, and activation is fast and loads no TensorFlow.js.
import './use-vscode-mock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext, mock, Uri } from './vscode-mock';
import { SETTINGS } from '../../src/host/settings';
import { tempDir } from './fixtures';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; category: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
    views: Record<string, { id: string; type?: string }[]>;
    walkthroughs: { steps: { media: { markdown: string } }[] }[];
    menus: Record<string, { command: string }[]>;
  };
  capabilities: { untrustedWorkspaces: { supported: string } };
};

beforeEach(() => mock.reset());

test('activate registers every declared command, the views, the diff scheme and a status bar item', async () => {
  const ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const ctx = fakeContext(join(__dirname, '..', '..'), tempDir());
  const before = new Set(Object.keys(require.cache));
  const ext = await import('../../src/extension');
  const t0 = performance.now();
  const api = ext.activate(ctx as never);
  const ms = performance.now() - t0;
  const declared = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual([...mock.commands.keys()].sort(), declared);
  assert.ok(pkg.contributes.commands.every((c) => c.category === 'HyperPrompt'));
  for (const m of Object.values(pkg.contributes.menus).flat()) assert.ok(declared.includes(m.command), `menu item ${m.command} is a declared command`);
  assert.ok(mock.viewProviders.has('hyperprompt.panel'));
  assert.ok(mock.treeProviders.has('hyperprompt.runs'));
  assert.ok(mock.contentProviders.has('hyperprompt'));
  const views = pkg.contributes.views.hyperprompt!.map((v) => v.id);
  assert.deepEqual(views, ['hyperprompt.panel', 'hyperprompt.runs']);
  assert.equal(mock.statusItems.length, 1);
  assert.equal(mock.statusItems[0]!.command, 'hyperprompt.openDashboard');
  assert.match(mock.statusItems[0]!.text, /HyperPrompt/);
  assert.equal(api.runs.manager.store.root, join(ws, '.hyperprompt', 'runs'));
  // No TensorFlow.js in the extension host.
  const loaded = Object.keys(require.cache).filter((k) => !before.has(k));
  assert.deepEqual(loaded.filter((k) => k.includes('@tensorflow')), []);
  assert.ok(ms < 200, `activate() took ${ms.toFixed(1)} ms`);
  assert.match(mock.output.join('\n'), /activated in \d+\.\d ms/);
  for (const d of ctx.subscriptions) d.dispose();
  assert.equal(mock.commands.size, 0, 'every registration is disposed with the extension');
  await ext.deactivate();
});

test('selecting a run row in the Runs tree shows that run (rows carry no command a refresh could drop)', async () => {
  const ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const ctx = fakeContext(join(__dirname, '..', '..'), tempDir());
  const ext = await import('../../src/extension');
  ext.activate(ctx as never);
  const select = mock.treeSelections.get('hyperprompt.runs');
  assert.ok(select, 'the Runs tree is a tree view with a selection event');
  const runNode = { kind: 'run', run: { id: 'r1' } };
  select([{ kind: 'version', runId: 'r1' }]);
  assert.equal(mock.executed.filter((e) => e.command === 'hyperprompt.showRun').length, 0, 'a version row does not open the run');
  select([runNode]);
  const shown = mock.executed.filter((e) => e.command === 'hyperprompt.showRun');
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.args[0], runNode);
  for (const d of ctx.subscriptions) d.dispose();
  await ext.deactivate();
});

test('package.json settings mirror src/host/settings.ts (keys and defaults)', () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTINGS).map((k) => `hyperprompt.${k}`).sort());
  for (const [k, s] of Object.entries(SETTINGS)) assert.deepEqual(props[`hyperprompt.${k}`]!.default, s.def, k);
});

test('walkthrough media exist; workspace trust is limited, not unsupported', () => {
  for (const step of pkg.contributes.walkthroughs[0]!.steps) readFileSync(join(__dirname, '..', '..', step.media.markdown), 'utf8');
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
});

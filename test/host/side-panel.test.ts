// The side panel provider against the vscode test double: HTML and CSP, the ready/snapshot
// handshake, queued latest-wins notifications, validation of every webview message, and
// what each message does.
import './use-vscode-mock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { fakeWebviewView, mock, Uri } from './vscode-mock';
import { SidePanelProvider } from '../../src/host/side-panel';
import { WebviewChannel } from '../../src/host/webview-channel';
import { controllerFor, SCRIPTED_COMMAND, tempDir, waitFor } from './fixtures';
import type * as vscode from 'vscode';

beforeEach(() => mock.reset());

function setup() {
  const logs: string[] = [];
  const rc = controllerFor(tempDir());
  const provider = new SidePanelProvider(Uri.file('/ext') as unknown as vscode.Uri, rc, (l) => logs.push(l));
  const view = fakeWebviewView();
  provider.resolveWebviewView(view as unknown as vscode.WebviewView);
  return { rc, provider, view, logs };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

test('HTML: CSP default-src none, script by nonce only, resources through asWebviewUri, roots limited', () => {
  const { view } = setup();
  const html = view.webview.html;
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]{16,}'; style-src https:\/\/test\.vscode-cdn\.net;/);
  assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]!, new RegExp(`nonce="${nonce!.replace(/[+/=]/g, '\\$&')}"`));
  assert.match(scripts[0]!, /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  assert.doesNotMatch(html, / on[a-z]+=/i, 'no inline event handlers');
  const opts = view.webview.options as { enableScripts: boolean; localResourceRoots: Uri[] };
  assert.equal(opts.enableScripts, true);
  assert.deepEqual(opts.localResourceRoots.map((u) => u.path), ['/ext/dist', '/ext/media']);
  // A second render gets a different nonce.
  const again = setup().view.webview.html;
  assert.notEqual(/'nonce-([^']+)'/.exec(again)![1], nonce);
});

test('nothing is posted before ready; ready gets the snapshot first, then queued notifications (latest wins)', async () => {
  const { view, rc } = setup();
  const emit = (rc as unknown as { emit: (n: string, e: unknown) => void }).emit.bind(rc);
  emit('notice', { level: 'info', text: 'first' });
  emit('notice', { level: 'warning', text: 'second' });
  emit('metrics', { runId: 'r', chunks: [{ key: 'a', steps: [1], values: [1] }] });
  emit('proposal', null);
  assert.deepEqual(view.webview.posted, []);
  view.webview.receive({ type: 'ready', protocol: 1 });
  await waitFor('snapshot', () => view.webview.posted.length >= 3);
  const types = view.webview.posted.map((m) => (m as { type: string }).type);
  assert.deepEqual(types, ['snapshot', 'notice', 'proposal'], 'metrics are not queued: the snapshot holds them');
  assert.equal((view.webview.posted[1] as { notice: { text: string } }).notice.text, 'second');
  // Once ready, notifications go straight through.
  emit('metrics', { runId: 'r', chunks: [] });
  await tick();
  assert.equal((view.webview.posted.at(-1) as { type: string } | undefined)?.type, 'metrics');
});

test('hidden views are reset and re-snapshot on the next ready', async () => {
  const { view, rc } = setup();
  view.webview.receive({ type: 'ready', protocol: 1 });
  await waitFor('snapshot', () => view.webview.posted.length === 1);
  view.setVisible(false);
  (rc as unknown as { emit: (n: string, e: unknown) => void }).emit('run', null);
  await tick();
  assert.equal(view.webview.posted.length, 1, 'nothing posted to a hidden view');
  view.setVisible(true);
  view.webview.receive({ type: 'ready', protocol: 1 });
  await waitFor('second snapshot', () => view.webview.posted.length === 3);
  assert.deepEqual(view.webview.posted.map((m) => (m as { type: string }).type), ['snapshot', 'snapshot', 'run']);
});

test('malformed webview messages are logged and ignored', async () => {
  const { view, logs } = setup();
  view.webview.receive({ type: 'control', action: 'rm -rf /' });
  view.webview.receive('<script>');
  view.webview.receive({ type: 'edit', proposalId: 'p', values: { lr: 'NaN', x: {} } });
  await tick();
  assert.equal(logs.filter((l) => l.includes('ignored a malformed message')).length, 3);
  assert.deepEqual(mock.executed, []);
});

test('controls run the same commands as the palette; mode without a run sets the default', async () => {
  const { view } = setup();
  view.webview.receive({ type: 'control', action: 'pause' });
  view.webview.receive({ type: 'control', action: 'start' });
  view.webview.receive({ type: 'setMode', mode: 'auto' });
  await tick();
  assert.deepEqual(mock.executed.map((e) => e.command), ['hyperprompt.pauseRun', 'hyperprompt.startRun']);
  assert.deepEqual(mock.configUpdates.map((u) => [u.key, u.value]), [['hyperprompt.copilot.defaultMode', 'auto']]);
});

test('accepting a proposal that is gone shows the reason in the panel and as an error', async () => {
  const { view } = setup();
  view.webview.receive({ type: 'ready', protocol: 1 });
  view.webview.receive({ type: 'accept', proposalId: 'p-404' });
  await waitFor('notice', () => view.webview.posted.find((m) => (m as { type: string }).type === 'notice'));
  const n = view.webview.posted.find((m) => (m as { type: string }).type === 'notice') as { notice: { text: string } };
  assert.match(n.notice.text, /proposal p-404 is no longer pending/);
  assert.match(mock.messages.at(-1)!.text, /no longer pending/);
});

test('end to end with a live run: accept from the panel applies the proposal', async () => {
  const { view, rc } = setup();
  view.webview.receive({ type: 'ready', protocol: 1 });
  const run = rc.start({ env: 'FakeEnv-v0', algo: 'fake', controller: 'halving-test', mode: 'ask', totalSteps: 100_000, seed: 1, trainer: { kind: 'command', command: SCRIPTED_COMMAND } });
  try {
    const p = await waitFor('proposal posted', () => view.webview.posted.find((m) => (m as { type: string; proposal?: unknown }).type === 'proposal' && (m as { proposal: unknown }).proposal) as { proposal: { id: string } } | undefined);
    view.webview.receive({ type: 'accept', proposalId: p.proposal.id });
    await waitFor('versions with the copilot change', () =>
      view.webview.posted.find((m) => (m as { type: string }).type === 'versions' && (m as { versions: { author: string }[] }).versions.some((v) => v.author === 'copilot')),
    );
    assert.ok(view.webview.posted.some((m) => (m as { type: string }).type === 'metrics'));
  } finally {
    await rc.stop(run.id);
  }
});

test('WebviewChannel: a failed post (view gone) marks it not ready', async () => {
  const posted: string[] = [];
  let deliver = true;
  const ch = new WebviewChannel<{ type: string }>(async (m) => (posted.push(m.type), deliver), new Set(['metrics']));
  ch.notify({ type: 'run' });
  assert.deepEqual(ch.queuedTypes(), ['run']);
  ch.markReady({ type: 'snapshot' });
  assert.deepEqual(posted, ['snapshot', 'run']);
  deliver = false;
  ch.notify({ type: 'metrics' });
  await tick();
  assert.equal(ch.isReady, false);
  ch.notify({ type: 'metrics' });
  assert.deepEqual(ch.queuedTypes(), []);
});

// The host <-> webview message guards: what they accept, what they refuse and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WEBVIEW_PROTOCOL_VERSION,
  WEBVIEW_STATE_VERSION,
  checkCompareMessage,
  checkHostToCompare,
  checkHostToPanel,
  checkPanelMessage,
  differingHyperparams,
  readPanelViewState,
  type PanelState,
} from '../../src/shared/webview-protocol';

const state: PanelState = {
  run: { id: 'r1', label: 'CartPole-v1 · ppo', env: 'CartPole-v1', algo: 'ppo', controller: 'heuristic', mode: 'ask', status: 'running', step: 2048 },
  space: [{ name: 'learning_rate', type: 'float', default: 0.0003, min: 1e-6, max: 0.01, scale: 'log', mutable: true, description: 'step size' }],
  versions: [{ version: 0, step: 0, values: { learning_rate: 0.0003 }, author: 'initial', reason: '' }],
  series: [{ key: 'charts/episodic_return', steps: [100, 200], values: [12, 20] }],
  proposal: { id: 'p1', runId: 'r1', step: 2048, controller: 'ollama', changes: [{ name: 'learning_rate', from: 0.0003, to: 0.0001 }], rationale: 'KL high', confidence: 0.7 },
  defaultMode: 'ask',
  pointBudget: 1000,
  trusted: true,
};

test('panel messages: valid ones pass with their fields', () => {
  assert.deepEqual(checkPanelMessage({ type: 'ready', protocol: 1 }), { ok: true, value: { type: 'ready', protocol: 1 } });
  assert.deepEqual(checkPanelMessage({ type: 'accept', proposalId: 'p1' }), { ok: true, value: { type: 'accept', proposalId: 'p1' } });
  assert.deepEqual(checkPanelMessage({ type: 'setMode', mode: 'auto' }), { ok: true, value: { type: 'setMode', mode: 'auto' } });
  assert.deepEqual(checkPanelMessage({ type: 'control', action: 'pause' }), { ok: true, value: { type: 'control', action: 'pause' } });
  const edit = checkPanelMessage({ type: 'edit', proposalId: 'p1', values: { learning_rate: 0.0002, extra: 'x' }, junk: 1 });
  assert.deepEqual(edit, { ok: true, value: { type: 'edit', proposalId: 'p1', values: { learning_rate: 0.0002, extra: 'x' } } });
});

test('panel messages: malformed ones are refused with a reason', () => {
  const cases: [unknown, RegExp][] = [
    [null, /must be an object/],
    [[], /must be an object/],
    [{ type: 'nope' }, /unknown webview message type "nope"/],
    [{ type: 'accept' }, /proposalId/],
    [{ type: 'accept', proposalId: 'x'.repeat(500) }, /proposalId/],
    [{ type: 'setMode', mode: 'turbo' }, /off, ask, auto/],
    [{ type: 'control', action: 'rm -rf' }, /action/],
    [{ type: 'edit', proposalId: 'p1', values: { learning_rate: Number.NaN } }, /finite number/],
    [{ type: 'edit', proposalId: 'p1', values: { learning_rate: { $gt: 1 } } }, /finite number/],
    [{ type: 'edit', proposalId: 'p1', values: {} }, /at least one value/],
    [{ type: 'ready' }, /protocol/],
  ];
  for (const [msg, re] of cases) {
    const r = checkPanelMessage(msg);
    assert.equal(r.ok, false, JSON.stringify(msg));
    if (!r.ok) assert.match(r.error, re);
  }
});

test('host->panel: snapshot round-trips through JSON and a wrong protocol version says what to do', () => {
  const msg = JSON.parse(JSON.stringify({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state }));
  const r = checkHostToPanel(msg);
  assert.equal(r.ok, true);
  if (r.ok && r.value.type === 'snapshot') assert.deepEqual(r.value.state, state);
  const old = checkHostToPanel({ ...msg, protocol: 0 });
  assert.equal(old.ok, false);
  if (!old.ok) assert.match(old.error, /reload the window/i);
});

test('host->panel: series with unequal lengths or non-finite points are refused', () => {
  const bad1 = checkHostToPanel({ type: 'metrics', runId: 'r1', chunks: [{ key: 'a', steps: [1, 2], values: [1] }] });
  assert.equal(bad1.ok, false);
  if (!bad1.ok) assert.match(bad1.error, /2 steps but 1 values/);
  const bad2 = checkHostToPanel({ type: 'metrics', runId: 'r1', chunks: [{ key: 'a', steps: [1, 2], values: [1, null] }] });
  assert.equal(bad2.ok, false);
  if (!bad2.ok) assert.match(bad2.error, /point 1/);
  assert.equal(checkHostToPanel({ type: 'metrics', runId: 'r1', chunks: [{ key: 'a', steps: [1], values: [3] }] }).ok, true);
});

test('host->panel: proposals, runs and notices are checked', () => {
  assert.equal(checkHostToPanel({ type: 'proposal', proposal: null }).ok, true);
  assert.equal(checkHostToPanel({ type: 'proposal', proposal: { ...state.proposal, confidence: 3 } }).ok, false);
  assert.equal(checkHostToPanel({ type: 'proposal', proposal: { ...state.proposal, changes: [{ name: 'x', from: 1 }] } }).ok, false);
  assert.equal(checkHostToPanel({ type: 'run', run: { ...state.run, status: 'exploded' } }).ok, false);
  assert.equal(checkHostToPanel({ type: 'run', run: state.run }).ok, true);
  assert.equal(checkHostToPanel({ type: 'notice', notice: { level: 'error', text: 'x' } }).ok, true);
  assert.equal(checkHostToPanel({ type: 'notice', notice: { level: 'loud', text: 'x' } }).ok, false);
  assert.equal(checkHostToPanel({ type: 'versions', runId: 'r1', versions: [{ version: 1, step: 5, values: {}, author: 'user' }] }).ok, false);
});

test('compare messages', () => {
  assert.equal(checkCompareMessage({ type: 'diffVersions', left: { runId: 'a', version: 0 }, right: { runId: 'b', version: 2 } }).ok, true);
  assert.equal(checkCompareMessage({ type: 'diffVersions', left: { runId: 'a', version: -1 }, right: { runId: 'b', version: 2 } }).ok, false);
  const snap = { type: 'compareSnapshot', protocol: 1, state: { runs: [{ run: state.run, series: state.series, versions: state.versions }], differing: [], pointBudget: 100 } };
  assert.equal(checkHostToCompare(snap).ok, true);
  assert.equal(checkHostToCompare({ ...snap, state: { ...snap.state, runs: [{ run: state.run, series: 3, versions: [] }] } }).ok, false);
});

test('persisted view state: other versions and shapes are ignored', () => {
  assert.deepEqual(readPanelViewState({ v: WEBVIEW_STATE_VERSION, collapsed: ['losses'] }).collapsed, ['losses']);
  assert.deepEqual(readPanelViewState({ v: 999, collapsed: ['losses'] }).collapsed, []);
  assert.deepEqual(readPanelViewState(undefined).collapsed, []);
  assert.deepEqual(readPanelViewState({ v: WEBVIEW_STATE_VERSION, collapsed: [1] }).collapsed, []);
});

test('differingHyperparams compares the value in force at every change step', () => {
  const a = [
    { version: 0, step: 0, values: { lr: 1, clip: 0.2, gamma: 0.99 }, author: 'initial', reason: '' },
    { version: 1, step: 100, values: { lr: 0.5, clip: 0.2, gamma: 0.99 }, author: 'copilot', reason: '' },
  ];
  const b = [
    { version: 0, step: 0, values: { lr: 1, clip: 0.2, gamma: 0.99 }, author: 'initial', reason: '' },
    { version: 1, step: 200, values: { lr: 0.5, clip: 0.2, gamma: 0.98 }, author: 'user', reason: '' },
  ];
  // lr: same final value but changed at different steps (differs between 100 and 200); gamma differs after 200.
  assert.deepEqual(differingHyperparams([a, b]), ['gamma', 'lr']);
  assert.deepEqual(differingHyperparams([a, a]), []);
});

// RunController against real trainer processes (the scripted trainer) and a real co-pilot
// session: what the views are told, and what the actions do to the run's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigVersionInfo, ProposalInfo, RunInfo, SeriesChunk } from '../../src/shared/webview-protocol';
import { pointsToChunks } from '../../src/host/run-controller';
import { SCRIPTED_COMMAND, controllerFor, tempDir, waitFor } from './fixtures';

test('pointsToChunks splits metric points into per-key plain arrays', () => {
  const chunks = pointsToChunks([
    { step: 10, scalars: { a: 1, b: 2 } },
    { step: 20, scalars: { a: 3 } },
  ]);
  assert.deepEqual(chunks, [
    { key: 'a', steps: [10, 20], values: [1, 3] },
    { key: 'b', steps: [10], values: [2] },
  ]);
});

test('ask mode: a proposal reaches the views, accepting it makes a copilot config version; edits, reverts, stop', async () => {
  const root = tempDir();
  const rc = controllerFor(root);
  const runs: (RunInfo | null)[] = [];
  const chunks: SeriesChunk[] = [];
  const proposals: (ProposalInfo | null)[] = [];
  let versions: ConfigVersionInfo[] = [];
  rc.on('run', (r) => runs.push(r));
  rc.on('metrics', (m) => chunks.push(...m.chunks));
  rc.on('proposal', (p) => proposals.push(p));
  rc.on('versions', (v) => (versions = v.versions));
  const run = rc.start({ env: 'FakeEnv-v0', algo: 'fake', controller: 'halving-test', mode: 'ask', totalSteps: 200_000, seed: 3, trainer: { kind: 'command', command: SCRIPTED_COMMAND } });
  try {
    assert.equal(rc.activeRunId, run.id);
    const p = await waitFor('a pending proposal', () => proposals.find((x) => x !== null));
    assert.equal(p.runId, run.id);
    assert.deepEqual(p.changes, [{ name: 'learning_rate', from: 0.001, to: 0.0005, note: undefined }]);
    assert.match(p.rationale, /halve it/);
    assert.ok(p.step > 0 && p.step % 500 === 0, `proposal step ${p.step} is an interval end`);
    assert.ok(chunks.some((c) => c.key === 'charts/episodic_return'), 'metric chunks were emitted');
    assert.ok(runs.at(-1)?.status === 'running');
    assert.equal(runs.at(-1)?.controller, 'halving-test');

    await rc.accept(p.id);
    await waitFor('the copilot version', () => versions.find((v) => v.author === 'copilot'));
    const v = versions.find((x) => x.author === 'copilot')!;
    assert.equal(v.values.learning_rate, 0.0005);
    assert.match(v.reason, /accepted by user/);

    // The next proposal is rejected: no new version.
    const p2 = await waitFor('a second proposal', () => proposals.filter((x): x is ProposalInfo => x !== null && x.id !== p.id).at(-1));
    rc.reject(p2.id);
    assert.throws(() => rc.reject(p2.id), /no longer pending/);

    // A person's edit goes through the run's checks; an immutable key is refused with the mutable ones named.
    assert.throws(() => rc.editHyperparameters({ n_steps: 64 }), /cannot change mid-run.*learning_rate/);
    rc.editHyperparameters({ gamma: 0.95 });
    await waitFor('the user version', () => versions.find((x) => x.author === 'user' && x.values.gamma === 0.95));

    // Revert to the initial version: learning_rate and gamma come back, as a new user version.
    const first = versions[0]!;
    const changes = rc.revertTo(run.id, first.version);
    assert.deepEqual(Object.keys(changes).sort(), ['gamma', 'learning_rate']);
    await waitFor('the revert version', () => versions.find((x) => x.reason === `revert to version ${first.version}`));

    // Mode off withdraws a pending proposal and the views are told.
    rc.setMode('off');
    assert.equal(runs.at(-1)?.mode, 'off');
    assert.equal(rc.proposal, null);

    const state = await rc.panelState(true);
    assert.equal(state.run?.id, run.id);
    assert.ok(state.series.find((s) => s.key === 'charts/episodic_return')!.steps.length > 0);
    assert.ok(state.series.every((s) => s.steps.length <= 400), 'snapshot series are bounded by 4 × the point budget');
    assert.deepEqual(state.space.map((s) => s.name), ['learning_rate', 'gamma', 'n_steps']);
    assert.ok(state.versions.length >= 4);
  } finally {
    await rc.stop();
  }
  assert.equal(runs.at(-1)?.status, 'stopped');
  const configs = readFileSync(join(root, run.id, 'configs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(configs.map((c) => c.author).slice(0, 2), ['initial', 'copilot']);
  const decisions = readFileSync(join(root, run.id, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(decisions.some((d) => d.outcome === 'accepted' && d.decidedBy === 'user'));
  assert.ok(decisions.some((d) => d.outcome === 'rejected'));
});

test('with no active run, actions say what to do; panel state is empty but carries settings', async () => {
  const rc = controllerFor(tempDir());
  assert.throws(() => rc.pause(), /Start Run/);
  const s = await rc.panelState(false);
  assert.equal(s.run, null);
  assert.equal(s.trusted, false);
  assert.equal(s.pointBudget, 100);
  assert.equal(s.defaultMode, 'ask');
});

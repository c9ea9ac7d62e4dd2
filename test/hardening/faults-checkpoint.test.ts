// A checkpoint truncated or corrupted after it was written is detected on resume by checksum
// (the host's own SHA-256, taken when the trainer announced it; the built-in format's manifest
// for folders), and the resume falls back to the previous whole checkpoint with a warning that
// says which one was passed over and why. Real trainer processes (the scripted trainer), real
// files; nothing lost, nothing out of bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { corruptCheckpoint, countLost, countOutOfBounds, MetricsTap, truncateCheckpoint } from '../../bench/faults-check';
import { writeCheckpoint } from '../../src/rl/checkpoint';
import type { RunManager } from '../../src/runs/manager';
import type { Run } from '../../src/runs/run';

/** A manager whose scripted trainer holds after interval `n` (n checkpoints written, at every 300
 *  steps) until the release file exists, so a kill lands there however loaded the machine is. */
function holdingManager(n: number): { m: RunManager; release: () => void } {
  const root = tempRoot();
  const file = join(root, 'release');
  const m = manager(root, { SCRIPTED_DELAY_MS: '5', SCRIPTED_HOLD_AT: String(n), SCRIPTED_RELEASE_FILE: file });
  return { m, release: () => writeFileSync(file, '') };
}

/** Runs until `n` checkpoints are recorded, SIGKILLs the trainer, then lets later segments run free. */
async function killAfterCheckpoints(n: number, tap: MetricsTap): Promise<{ m: RunManager; run: Run }> {
  const { m, release } = holdingManager(n);
  const run = m.start(scriptedSpec({ totalSteps: 3000, interval: 300, checkpointEvery: 300 }));
  tap.follow(run);
  await new Promise<void>((resolve) => run.on('interval', (i) => i.index === n && resolve()));
  assert.equal(run.snapshot().checkpoints.length, n);
  process.kill(run.pid!, 'SIGKILL');
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  release();
  return { m, run };
}

function warningsOf(run: Run): string[] {
  const w: string[] = [];
  run.on('warning', (e) => w.push(e.message));
  return w;
}

async function assertWhole(m: RunManager, id: string, tap: MetricsTap): Promise<void> {
  const loss = await countLost(m.store, id, tap);
  assert.equal(loss.lost, 0, `lost lines, e.g. ${loss.examples.join(', ')}`);
  assert.ok(loss.expected > 0);
  const bounds = await countOutOfBounds(m.store, id);
  assert.equal(bounds.outOfBounds, 0, bounds.examples.join('; '));
  // The scripted trainer ends an episode every 50 steps: the episodes read back are exactly those.
  const episodes: number[] = [];
  const { streamMetrics } = await import('../../src/runs/metrics-reader');
  await streamMetrics(m.store, id, (p) => void (p.scalars['charts/episodic_return'] !== undefined && episodes.push(p.step)));
  const total = m.store.read(id).spec.totalSteps;
  assert.deepEqual(episodes, Array.from({ length: total / 50 }, (_, i) => (i + 1) * 50));
}

for (const damage of ['truncated', 'corrupted'] as const) {
  test(`the newest checkpoint ${damage}: resume falls back to the previous one with a warning; nothing lost`, async () => {
    const tap = new MetricsTap();
    const { m, run } = await killAfterCheckpoints(3, tap);
    const rec = m.store.read(run.id);
    const [previous, newest] = rec.checkpoints.slice(-2);
    assert.ok(rec.checkpoints.every((c) => typeof c.sha256 === 'string' && c.bytes! > 0), 'the host took a checksum of each checkpoint');
    const path = m.store.absoluteCheckpointPath(run.id, newest!.path);
    const before = readFileSync(path, 'utf8');
    (damage === 'truncated' ? truncateCheckpoint : corruptCheckpoint)(path);
    if (damage === 'corrupted') {
      // Still valid JSON of the same length: only the checksum can tell.
      assert.equal(readFileSync(path).length, Buffer.byteLength(before));
      JSON.parse(readFileSync(path, 'utf8'));
    }
    const resumed = m.resume(run.id);
    tap.follow(resumed);
    const warnings = warningsOf(resumed);
    const hello = await resumed.next('hello');
    assert.equal(hello.step, previous!.step, 'resumed from the previous checkpoint');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      new RegExp(`the checkpoint at step ${newest!.step} cannot be used: .*step-${newest!.step}\\.json is ${damage === 'truncated' ? 'truncated' : 'corrupted'}.*Resuming from the previous one, at step ${previous!.step}`),
    );
    const exit = await resumed.finished;
    assert.equal(exit.status, 'completed', exit.message);
    const after = m.store.read(run.id);
    assert.match(after.checkpoints.find((c) => c.step === newest!.step && c.path === newest!.path)!.damaged!, damage === 'truncated' ? /truncated/ : /corrupted/);
    assert.equal(after.segments[1]!.startStep, previous!.step);
    await assertWhole(m, run.id, tap);
  });
}

test('two damaged checkpoints in a row (one missing, one corrupted): back to the third; a later resume does not warn again', async () => {
  const tap = new MetricsTap();
  const { m, run } = await killAfterCheckpoints(4, tap);
  const rec = m.store.read(run.id);
  const [third, second, newest] = rec.checkpoints.slice(-3);
  const { rmSync } = await import('node:fs');
  rmSync(m.store.absoluteCheckpointPath(run.id, newest!.path));
  corruptCheckpoint(m.store.absoluteCheckpointPath(run.id, second!.path));
  const resumed = m.resume(run.id, {});
  tap.follow(resumed);
  const warnings = warningsOf(resumed);
  const hello = await resumed.next('hello');
  assert.equal(hello.step, third!.step);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, new RegExp(`step ${newest!.step} cannot be used: .* is missing`));
  assert.match(warnings[1]!, new RegExp(`step ${second!.step} cannot be used: .* is corrupted`));
  assert.equal((await resumed.finished).status, 'completed');
  const again = m.resume(run.id, { totalSteps: 3500 });
  tap.follow(again);
  const w2 = warningsOf(again);
  const exit = await again.finished;
  assert.equal(exit.status, 'completed', exit.message);
  assert.deepEqual(w2, [], 'checkpoints already marked damaged are passed over silently');
  await assertWhole(m, run.id, tap);
});

test('every checkpoint damaged: the run starts again from step 0 and says so', async () => {
  const tap = new MetricsTap();
  const { m, run } = await killAfterCheckpoints(1, tap);
  for (const c of m.store.read(run.id).checkpoints) writeFileSync(m.store.absoluteCheckpointPath(run.id, c.path), '{}');
  const resumed = m.resume(run.id);
  tap.follow(resumed);
  const warnings = warningsOf(resumed);
  assert.equal((await resumed.next('hello')).step, 0);
  assert.match(warnings.join('\n'), /Resuming from the start \(no earlier checkpoint is whole\)/);
  assert.equal((await resumed.finished).status, 'completed');
  await assertWhole(m, run.id, tap);
});

test('a built-in checkpoint folder recorded without the host checksum is still checked by its own manifest', async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(scriptedSpec({ totalSteps: 100 }));
  await run.finished;
  const dir = join(run.paths.checkpoints, 'step-100');
  await writeCheckpoint(dir, { algo: 'ppo', json: { step: 100 }, arrays: { w: new Float32Array(1000).map((_, i) => i) } });
  const rec = { path: 'checkpoints/step-100', step: 100, at: '' };
  assert.equal(m.store.checkpointProblem(run.id, rec), undefined);
  corruptCheckpoint(dir);
  assert.match(m.store.checkpointProblem(run.id, rec)!, /step-100: array-0\.bin is corrupted \(checksum mismatch\)/);
  truncateCheckpoint(dir);
  assert.match(m.store.checkpointProblem(run.id, rec)!, /array-0\.bin is truncated or too long \(2000 bytes, expected 4000\)/);
});

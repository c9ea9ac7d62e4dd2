// The extension host reloaded mid-run: a real child Node process hosting a RunManager
// (bench/faults-host.ts) is SIGKILLed while its trainer runs. What a user gets: the trainer
// notices its host is gone (its stdin closes), stops by itself, and exits; the run lists as
// `interrupted`; a new host resumes it from the last checkpoint the old host recorded (every
// metric line up to it is on disk), and nothing is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { countLost, countOutOfBounds, MetricsTap } from '../../bench/faults-check';
import { isPidAlive } from '../../src/runs/store';
import { streamMetrics } from '../../src/runs/metrics-reader';
import type { MetricPoint } from '../../src/runs/types';

const HOST = join(__dirname, '..', '..', 'bench', 'faults-host.ts');

async function until(what: string, cond: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - t0;
}

for (const when of ['mid-run', 'while waiting for the host'] as const) {
  test(`the host process killed ${when}: the trainer stops by itself, the run is interrupted, a new host resumes it with nothing lost`, async () => {
    const root = tempRoot();
    const tap = new MetricsTap();
    const seg = tap.segment();
    // Intervals (which also flush the metrics) rarer than checkpoints: a checkpoint recorded before
    // the metrics that precede it reach the disk would lose them with the host.
    const spec = scriptedSpec({ totalSteps: 6000, interval: 1000, checkpointEvery: 300 });
    // A slow trainer (20 ms per 100 steps), so the host dies with the run well under way.
    const host = spawn(process.execPath, ['--import', 'tsx', HOST, root, JSON.stringify(spec)], {
      env: { ...process.env, SCRIPTED_DELAY_MS: '20', ...(when === 'while waiting for the host' ? { SCRIPTED_HOLD_AT: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let started: { runId: string; trainerPid: number } | undefined;
    let checkpoints = 0;
    createInterface({ input: host.stdout! }).on('line', (l) => {
      const msg = JSON.parse(l) as { type: string; runId?: string; trainerPid?: number; points?: MetricPoint[]; step?: number };
      if (msg.type === 'started') started = { runId: msg.runId!, trainerPid: msg.trainerPid! };
      if (msg.type === 'metrics') seg.push(...msg.points!);
      if (msg.type === 'checkpoint') checkpoints++;
    });
    await until('checkpoints recorded by the first host', () => checkpoints >= (when === 'mid-run' ? 2 : 6), 30_000);
    if (when === 'while waiting for the host') await new Promise((r) => setTimeout(r, 100)); // held after interval 1 (step 2000) until the host says something
    const hostGone = new Promise((r) => host.once('exit', r));
    host.kill('SIGKILL');
    await hostGone;
    const { runId, trainerPid } = started!;

    // The trainer was not killed by anyone: it saw its stdin close and stopped on its own.
    const tookMs = await until('the orphaned trainer to exit by itself', () => !isPidAlive(trainerPid), 15_000);
    assert.ok(tookMs < 15_000);

    const m = manager(root, { SCRIPTED_DELAY_MS: '0' });
    const listed = m.store.list().runs.find((r) => r.id === runId)!;
    assert.equal(listed.recordedStatus, 'running', 'the old host could not record an end');
    assert.equal(listed.status, 'interrupted');
    const recorded = m.store.lastCheckpoint(m.store.read(runId))!;
    const resumed = m.resume(runId);
    tap.follow(resumed);
    const hello = await resumed.next('hello');
    assert.equal(hello.step, recorded.step, 'resumed from the last checkpoint the old host recorded');
    const exit = await resumed.finished;
    assert.equal(exit.status, 'completed', exit.message);

    const loss = await countLost(m.store, runId, tap);
    assert.equal(loss.lost, 0, `lost: ${loss.examples.join(', ')}`);
    assert.equal((await countOutOfBounds(m.store, runId)).outOfBounds, 0);
    const episodes: number[] = [];
    const read = await streamMetrics(m.store, runId, (p) => void (p.scalars['charts/episodic_return'] !== undefined && episodes.push(p.step)));
    assert.deepEqual(episodes, Array.from({ length: 6000 / 50 }, (_, i) => (i + 1) * 50), 'every episode once');
    // A host killed mid-append may leave half a line: reported, never glued to the next segment's.
    assert.ok(read.problems.every((p) => /not valid JSON|truncated last line/.test(p)), read.problems.join('; '));
  });
}

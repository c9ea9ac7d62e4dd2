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

test('a built-in trainer whose host dies while something else keeps its stdin open notices its parent is gone and stops with a checkpoint', { timeout: 90_000 }, async () => {
  const { mkdirSync, readdirSync, writeFileSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const dir = tempRoot();
  mkdirSync(join(dir, 'checkpoints'));
  const config = {
    protocol: 1, runId: 'r', segment: 0, env: 'CartPole-v1', algo: 'ppo', totalSteps: 10_000_000, seed: 1,
    values: { n_envs: 2, n_steps: 32, batch_size: 64, n_epochs: 1 }, interval: 1000, checkpointEvery: 0,
    checkpointDir: join(dir, 'checkpoints'), resumeFrom: null, backend: 'wasm', runDir: dir,
  };
  writeFileSync(join(dir, 'c.json'), JSON.stringify(config));
  const main = join(__dirname, '..', '..', 'src', 'rl', 'trainer', 'main.ts');
  // The "host" is a shell; `sleep` holds the trainer's stdin open after the shell is killed, so
  // no end of input ever comes: only the parent watch can tell.
  const trainer = `${process.execPath} --import ${pathToFileURL(require.resolve('tsx')).href} ${main} --config ${join(dir, 'c.json')}`;
  const holder = `sh -c 'echo $$ > ${join(dir, 'holder.pid')}; exec sleep 600'`;
  const sh = spawn('sh', ['-c', `${holder} | ${trainer} > ${join(dir, 'out.jsonl')} 2> ${join(dir, 'err.txt')} & echo $!; wait`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const trainerPid = await new Promise<number>((resolve) => createInterface({ input: sh.stdout! }).once('line', (l) => resolve(Number(l))));
  const { readFileSync } = await import('node:fs');
  await until('the trainer says hello', () => {
    try {
      return readFileSync(join(dir, 'out.jsonl'), 'utf8').includes('"hello"');
    } catch {
      return false;
    }
  }, 60_000);
  sh.kill('SIGKILL');
  await until('the trainer to notice its parent is gone and exit', () => !isPidAlive(trainerPid), 30_000);
  assert.match(readFileSync(join(dir, 'err.txt'), 'utf8'), /the host process \d+ is gone: stopping with a checkpoint/);
  const out = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string });
  assert.equal(out.at(-1)!.type, 'done');
  assert.equal(out.at(-1)!.reason, 'stopped');
  assert.equal(readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith('step-')).length, 1);
  process.kill(Number(readFileSync(join(dir, 'holder.pid'), 'utf8')), 'SIGKILL'); // the stdin holder, by its pid
});

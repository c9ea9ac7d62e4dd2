// A full disk, for real: a 2 MiB tmpfs filled up while a run writes to it. The run must end in
// words ("the disk is full ... Free space in X and resume"), run.json must say how it ended,
// every file already written must read back whole, a resume on a disk still full is refused in
// words, and once space is back the resume completes with no metric line lost. Needs root and
// permission to mount a tmpfs; skipped with the reason otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { countLost, countOutOfBounds, fillDisk, freeKiB, MetricsTap, mountSmallDisk, unmount } from '../../bench/faults-check';
import { appendLines, readJsonlSync, RunWriteError } from '../../src/runs/jsonl';
import { streamMetrics } from '../../src/runs/metrics-reader';

function smallDisk(t: { skip: (why: string) => void }): string | undefined {
  const dir = join(tempRoot('hp-disk-'), 'disk');
  const why = mountSmallDisk(dir, 2048);
  if (why) {
    t.skip(why);
    return undefined;
  }
  return dir;
}

test('an append that hits a full disk leaves the file as it was (no half line) and says the disk is full', (t) => {
  const disk = smallDisk(t);
  if (!disk) return;
  try {
    const f = join(disk, 'metrics.jsonl');
    appendLines(f, ['{"step":1}', '{"step":2}']);
    const before = readFileSync(f, 'utf8');
    fillDisk(disk, 8);
    assert.throws(
      () => appendLines(f, Array.from({ length: 2000 }, (_, i) => JSON.stringify({ step: 3 + i, pad: 'x'.repeat(40) }))),
      (e: unknown) => e instanceof RunWriteError && e.diskFull && /^the disk is full: cannot write .*metrics\.jsonl \(ENOSPC\)\. Free space in .* and resume the run/.test(e.message),
    );
    assert.equal(readFileSync(f, 'utf8'), before);
    assert.deepEqual(readJsonlSync(f).problems, []);
  } finally {
    unmount(disk);
  }
});

test('a run on a disk that fills up: ends in words, files intact, resume refused while full, then resumes with nothing lost', async (t) => {
  const disk = smallDisk(t);
  if (!disk) return;
  try {
    const m = manager(join(disk, 'runs'), { SCRIPTED_DELAY_MS: '2', SCRIPTED_STEPS_PER_ITER: '200' });
    const filler = fillDisk(disk, 160);
    const tap = new MetricsTap();
    // Checkpoints every 1000 steps (tiny files); the metrics fill the disk.
    const run = m.start(scriptedSpec({ totalSteps: 400_000, interval: 1000, checkpointEvery: 1000 }));
    tap.follow(run);
    const exit = await run.finished;
    assert.equal(exit.status, 'crashed');
    assert.match(exit.message, new RegExp(`^the disk is full: cannot write ${run.paths.dir}/[a-z.]+ \\(ENOSPC\\)\\. Free space in ${run.paths.dir} and resume the run`));
    const rec = m.store.read(run.id);
    assert.equal(rec.status, 'crashed', 'run.json says how the run ended (written on the reserved space)');
    assert.equal(rec.message, exit.message);
    assert.ok(rec.checkpoints.length > 0);
    // Everything on disk reads back whole: no malformed or half line anywhere.
    const read = await streamMetrics(m.store, run.id, () => undefined);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(m.store.readConfigs(run.id).problems, []);

    // Still full: the resume is refused in words before any trainer starts.
    const more = fillDisk(disk, 0);
    assert.throws(() => m.resume(run.id), (e: unknown) => e instanceof RunWriteError && /^the disk is full: cannot write .*\.space-reserve/.test(e.message));
    rmSync(more);
    rmSync(filler);
    assert.ok(freeKiB(disk) > 1000);

    const resumed = m.resume(run.id, { totalSteps: rec.checkpoints.at(-1)!.step + 3000 });
    tap.follow(resumed);
    const hello = await resumed.next('hello');
    assert.equal(hello.step, rec.checkpoints.at(-1)!.step);
    const exit2 = await resumed.finished;
    assert.equal(exit2.status, 'completed', exit2.message);
    const loss = await countLost(m.store, run.id, tap);
    assert.equal(loss.lost, 0, loss.examples.join(', '));
    assert.ok(loss.expected > 100);
    assert.equal((await countOutOfBounds(m.store, run.id)).outOfBounds, 0);
    const episodes: number[] = [];
    await streamMetrics(m.store, run.id, (p) => void (p.scalars['charts/episodic_return'] !== undefined && episodes.push(p.step)));
    assert.deepEqual(episodes, Array.from({ length: exit2.step / 50 }, (_, i) => (i + 1) * 50), 'every episode once, none missing');
  } finally {
    unmount(disk);
  }
});

test('a user trainer that dies of a full disk itself (ENOSPC on its stderr) gets the same advice', async (t) => {
  const disk = smallDisk(t);
  if (!disk) return;
  try {
    const root = tempRoot();
    const m = manager(root);
    // The trainer writes its checkpoints on the full disk, the host its files elsewhere.
    const script = join(root, 'trainer.cjs');
    writeFileSync(
      script,
      `const fs = require('fs');\ntry { fs.writeFileSync(${JSON.stringify(join(disk, 'big'))}, Buffer.alloc(4 << 20)); } catch (e) { process.stderr.write(String(e) + '\\n'); process.exit(1); }\n`,
    );
    const run = m.start(scriptedSpec({ trainer: { kind: 'command', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(script)}` } }));
    const exit = await run.finished;
    assert.equal(exit.status, 'crashed');
    assert.match(exit.message, /ENOSPC: no space left on device/);
    assert.match(exit.message, new RegExp(`The disk looks full \\(the trainer's stderr says so\\): free space in ${run.paths.dir} and resume the run`));
  } finally {
    unmount(disk);
  }
});

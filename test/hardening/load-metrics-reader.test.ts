// downsampleMetrics reads on from where its last read of a run stopped (bench/load.ts: every
// snapshot of a 5M-step run read its half a million lines again). Pinned here: the result
// equals a read of the whole file; only the bytes added since are read; a resume (a new
// segment) or a line cut short by a write in progress starts the read afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLines } from '../../src/runs/jsonl';
import { downsampleMetrics, forgetMetricReads } from '../../src/runs/metrics-reader';
import { RunStore } from '../../src/runs/store';

function runWithMetrics(lines: number) {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'hp-load-reader-')));
  const rec = store.create({ env: 'CartPole-v1', algo: 'ppo', totalSteps: 1e6, seed: 1, values: {}, interval: 1000, checkpointEvery: 0, trainer: { kind: 'builtin' } });
  const path = store.paths(rec.id).metrics;
  let next = 1;
  const add = (n: number): void => {
    const out: string[] = [];
    for (let i = 0; i < n; i++, next++) {
      const step = next * 10;
      out.push(JSON.stringify(next % 7 ? { step, 'charts/episodic_return': (next * 37) % 500, 'charts/episodic_length': next % 200 } : { step, 'losses/value_loss': 1 / next }));
    }
    appendLines(path, out);
  };
  add(lines);
  return { store, rec, id: rec.id, path, add };
}

async function fullRead(store: RunStore, id: string, maxPoints: number, keys?: string[]) {
  forgetMetricReads();
  const r = await downsampleMetrics(store, id, { maxPoints, keys });
  forgetMetricReads();
  return r;
}

test('a second read goes on from the first: same series as a whole read, earlier bytes not read again', async () => {
  const { store, id, path, add } = runWithMetrics(5000);
  forgetMetricReads();
  const first = await downsampleMetrics(store, id, { maxPoints: 100 });
  assert.equal(first.report.points, 5000);
  add(3001);
  // Spoil the first line in place (same length, same file): a read from the start would report it.
  const firstLine = readFileSync(path, 'utf8').split('\n')[0]!;
  const fd = openSync(path, 'r+');
  writeSync(fd, 'x'.repeat(firstLine.length), 0);
  closeSync(fd);
  const second = await downsampleMetrics(store, id, { maxPoints: 100 });
  assert.deepEqual(second.report.problems, [], 'the first line was not read again');
  assert.equal(second.report.points, 8001);
  // The whole file read afresh: the same buckets, except for the spoiled first line.
  const whole = await fullRead(store, id, 100);
  assert.equal(whole.report.points, 8000);
  assert.match(whole.report.problems[0]!, /line 1: not valid JSON/);
  // Restore the line and compare the series exactly.
  const fd2 = openSync(path, 'r+');
  writeSync(fd2, firstLine, 0);
  closeSync(fd2);
  const restored = await fullRead(store, id, 100);
  assert.deepEqual(second.series, restored.series);
  for (const s of second.series) assert.ok(s.steps.length <= 100, `${s.key}: ${s.steps.length} points`);
});

test('a resume (a new segment) reads afresh, dropping the replayed lines; options are remembered apart', async () => {
  const { store, rec, id } = runWithMetrics(2000);
  forgetMetricReads();
  await downsampleMetrics(store, id, { maxPoints: 50 });
  await downsampleMetrics(store, id, { maxPoints: 50, keys: ['charts/episodic_return'] });
  // Segment 1 resumed from step 15000 when the file held 2000 lines (up to step 20000): the
  // 500 lines above 15000 are superseded by the 600 the resumed trainer writes next.
  const size = readFileSync(store.paths(id).metrics).length;
  rec.segments = [
    { index: 0, startedAt: rec.createdAt, startStep: 0, resumedFrom: null, metricsOffset: 0 },
    { index: 1, startedAt: rec.createdAt, startStep: 15_000, resumedFrom: 'checkpoints/step-15000', metricsOffset: size },
  ];
  store.write(rec);
  const lines: string[] = [];
  for (let s = 15_010; s <= 21_000; s += 10) lines.push(JSON.stringify({ step: s, 'charts/episodic_return': 1 }));
  appendLines(store.paths(id).metrics, lines);
  const after = await downsampleMetrics(store, id, { maxPoints: 50 });
  assert.equal(after.report.superseded, 500);
  assert.equal(after.report.points, 1500 + 600);
  assert.deepEqual(after, await fullRead(store, id, 50));
  const onlyReturn = await downsampleMetrics(store, id, { maxPoints: 50, keys: ['charts/episodic_return'] });
  assert.deepEqual(onlyReturn.series.map((s) => s.key), ['charts/episodic_return']);
  assert.deepEqual(onlyReturn, await fullRead(store, id, 50, ['charts/episodic_return']));
});

test('a line cut short by a write in progress is not counted; the next read gets it whole', async () => {
  const { store, id, path } = runWithMetrics(1000);
  forgetMetricReads();
  await downsampleMetrics(store, id, { maxPoints: 40 });
  const line = JSON.stringify({ step: 99_990, 'charts/episodic_return': 123 });
  const fd = openSync(path, 'a');
  writeSync(fd, line.slice(0, 20));
  const cut = await downsampleMetrics(store, id, { maxPoints: 40 });
  assert.equal(cut.report.truncatedTail, true);
  assert.equal(cut.report.points, 1000);
  writeSync(fd, line.slice(20) + '\n');
  closeSync(fd);
  const whole = await downsampleMetrics(store, id, { maxPoints: 40 });
  assert.equal(whole.report.truncatedTail, false);
  assert.equal(whole.report.points, 1001);
  assert.deepEqual(whole, await fullRead(store, id, 40));
});

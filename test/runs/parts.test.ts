// The small parts of src/runs on their own: line splitting with a cap, JSONL reading with a
// truncated tail, downsampling, history diffs, command splitting, Node selection, run files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineSplitter, type LineEvent } from '../../src/runs/lines';
import { readJsonlSync, streamJsonl } from '../../src/runs/jsonl';
import { downsampleMetrics, streamMetrics } from '../../src/runs/metrics-reader';
import { diffConfigHistories, diffVersions } from '../../src/runs/diff';
import { splitCommand } from '../../src/runs/command-line';
import { resolveNodeBinary } from '../../src/runs/node-binary';
import { checkRunFile } from '../../src/runs/run-file';
import { RunStore } from '../../src/runs/store';
import type { ConfigRecord } from '../../src/runs/types';
import { tempRoot } from './helpers';

test('LineSplitter joins lines across chunks and drops an over-long line without holding it', () => {
  const events: LineEvent[] = [];
  const s = new LineSplitter(10, (e) => events.push(e));
  s.push(Buffer.from('ab'));
  s.push(Buffer.from('c\nde'));
  s.push(Buffer.from('f\n' + 'x'.repeat(8)));
  s.push(Buffer.from('x'.repeat(8)));
  s.push(Buffer.from('xx\nlast'));
  s.end();
  assert.deepEqual(events, [
    { kind: 'line', text: 'abc' },
    { kind: 'line', text: 'def' },
    { kind: 'overlong', bytes: 18, head: 'x'.repeat(16) },
    { kind: 'line', text: 'last' },
  ]);
});

test('JSONL readers: malformed middle lines are reported, a truncated last line is ignored and reported, byte offsets are exact', async () => {
  const dir = tempRoot();
  const p = join(dir, 'a.jsonl');
  writeFileSync(p, '{"a":1}\nnot json\n\n{"a":2}\n{"a":');
  const offsets: number[] = [];
  const values: unknown[] = [];
  const r = await streamJsonl(p, (l) => void (offsets.push(l.offset), values.push(l.value)));
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(offsets, [0, 18]);
  assert.equal(r.truncatedTail, true);
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[0]!.message, /not valid JSON/);
  assert.match(r.problems[1]!.message, /truncated last line ignored/);
  const sync = readJsonlSync(p);
  assert.deepEqual(sync.values, [{ a: 1 }, { a: 2 }]);
  assert.equal(sync.truncatedTail, true);
  // A complete last value without its newline is kept.
  writeFileSync(p, '{"a":1}\n{"a":3}');
  const kept: unknown[] = [];
  assert.equal((await streamJsonl(p, (l) => void kept.push(l.value))).truncatedTail, false);
  assert.deepEqual(kept, [{ a: 1 }, { a: 3 }]);
});

function fakeRun(store: RunStore, lines: string[], segments: { startStep: number; metricsOffset: number }[] = []): string {
  const rec = store.create({ env: 'E', algo: 'a', totalSteps: 10, seed: 0, values: {}, interval: 1, checkpointEvery: 0, trainer: { kind: 'builtin' } });
  rec.segments = [{ index: 0, startedAt: '', startStep: 0, resumedFrom: null, metricsOffset: 0 }, ...segments.map((s, i) => ({ index: i + 1, startedAt: '', resumedFrom: 'x', ...s }))];
  rec.status = 'completed';
  store.write(rec);
  writeFileSync(store.paths(rec.id).metrics, lines.join('\n') + '\n');
  return rec.id;
}

test('streamMetrics drops lines replayed after a resume; downsampleMetrics keeps at most N bucket means per series', async () => {
  const store = new RunStore(tempRoot());
  const seg0 = [1, 2, 3, 4].map((s) => JSON.stringify({ step: s * 10, r: s }));
  const offset = Buffer.byteLength(seg0.join('\n') + '\n');
  const seg1 = [3, 4, 5].map((s) => JSON.stringify({ step: s * 10, r: s * 100 }));
  const id = fakeRun(store, [...seg0, ...seg1], [{ startStep: 20, metricsOffset: offset }]);
  const got: [number, number][] = [];
  const rep = await streamMetrics(store, id, (p) => void got.push([p.step, p.scalars.r!]));
  assert.deepEqual(got, [[10, 1], [20, 2], [30, 300], [40, 400], [50, 500]]);
  assert.equal(rep.superseded, 2);

  const many = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ step: i + 1, v: i % 2 === 0 ? 0 : 2, w: 1 }));
  const id2 = fakeRun(store, many);
  const { series } = await downsampleMetrics(store, id2, { maxPoints: 100, keys: ['v'] });
  assert.equal(series.length, 1);
  const v = series[0]!;
  assert.equal(v.count, 10_000);
  assert.ok(v.values.length <= 100 && v.values.length >= 50, `${v.values.length} points`);
  assert.ok(v.values.every((x) => Math.abs(x - 1) < 1e-9), 'bucket means of alternating 0/2 are 1');
  assert.ok(v.steps[0]! < v.steps.at(-1)! && v.steps.at(-1)! > 9000);
});

test('diffConfigHistories lines two histories up by step and marks the keys that differ', () => {
  const rec = (version: number, step: number, values: Record<string, number>, author = 'user'): ConfigRecord => ({ version, step, values, author, reason: '' });
  const a = [rec(1, 0, { lr: 1, g: 0.9 }, 'initial'), rec(2, 100, { lr: 0.5, g: 0.9 })];
  const b = [rec(1, 0, { lr: 1, g: 0.9 }, 'initial'), rec(2, 50, { lr: 1, g: 0.8 }, 'copilot')];
  const rows = diffConfigHistories(a, b);
  assert.deepEqual(rows.map((r) => [r.step, r.a?.version, r.b?.version, r.differing]), [
    [0, 1, 1, []],
    [50, undefined, 2, ['g']],
    [100, 2, undefined, ['g', 'lr']],
  ]);
  assert.deepEqual(diffVersions(a[1]!, b[1]!), [
    { key: 'g', a: 0.9, b: 0.8 },
    { key: 'lr', a: 0.5, b: 1 },
  ]);
});

test('splitCommand: words and quotes like a shell, shell operators refused', () => {
  assert.deepEqual(splitCommand(`python3 "my train.py" --x='a b' c\\ d`), { ok: true, value: ['python3', 'my train.py', '--x=a b', 'c d'] });
  assert.match((splitCommand('python3 a.py; rm -rf /') as { error: string }).error, /shell character ";"/);
  assert.match((splitCommand('python3 "a.py') as { error: string }).error, /unclosed " quote/);
  assert.match((splitCommand('   ') as { error: string }).error, /empty/);
});

test('resolveNodeBinary: system node on PATH, else the editor runtime with ELECTRON_RUN_AS_NODE=1, or an explicit choice', () => {
  const dir = tempRoot();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'node'), '#!/bin/sh\n');
  chmodSync(join(bin, 'node'), 0o755);
  const sys = resolveNodeBinary({ env: { PATH: bin }, execPath: '/opt/Code/code' });
  assert.equal(sys.path, join(bin, 'node'));
  assert.deepEqual(sys.env, {});
  assert.match(sys.reason, /system node on PATH/);
  const electron = resolveNodeBinary({ env: { PATH: join(dir, 'empty') }, execPath: '/opt/Code/code' });
  assert.equal(electron.path, '/opt/Code/code');
  assert.deepEqual(electron.env, { ELECTRON_RUN_AS_NODE: '1' });
  assert.match(electron.reason, /no node on PATH: using the editor's runtime/);
  assert.equal(resolveNodeBinary({ override: process.execPath }).path, process.execPath);
  assert.throws(() => resolveNodeBinary({ override: '/nope/node' }), /does not exist or is not executable/);
});

test('run files are strict: unknown keys and bad values name the valid choices', () => {
  assert.deepEqual(checkRunFile({ env: 'CartPole-v1', steps: 1000, hyperparams: { learning_rate: 0.001 } }), {
    ok: true,
    value: { env: 'CartPole-v1', steps: 1000, hyperparams: { learning_rate: 0.001 } },
  });
  assert.match((checkRunFile({ env: 'x', stepz: 3 }) as { error: string }).error, /unknown key "stepz" \(valid: env, algo, steps/);
  assert.match((checkRunFile({ steps: -1 }) as { error: string }).error, /"steps" must be an integer ≥ 1/);
  assert.match((checkRunFile([]) as { error: string }).error, /must hold a JSON object/);
});

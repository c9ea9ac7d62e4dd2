// RunStore.list() reads a run.json again only when it changed (bench/load.ts: the Runs tree
// lists on every redraw, 200 reads each time). Pinned here: a write (a rename: a new inode)
// is seen at once; an unchanged file is not read again; a deleted run disappears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store';

function storeWith(n: number) {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'hp-load-list-')));
  const recs = Array.from({ length: n }, (_, i) => {
    const r = store.create({ env: 'CartPole-v1', algo: 'ppo', totalSteps: 1000, seed: i, values: {}, interval: 100, checkpointEvery: 0, trainer: { kind: 'builtin' } }, new Date(Date.UTC(2026, 0, 1, 0, i)));
    r.status = 'completed';
    store.write(r);
    return r;
  });
  return { store, recs };
}

test('list: a rewritten run.json is seen at once, an unchanged one is not read again, a deleted run is gone', () => {
  const { store, recs } = storeWith(3);
  assert.deepEqual(store.list().runs.map((r) => r.step), [0, 0, 0]);
  // A write by the store (temp file + rename) shows in the next listing.
  recs[1]!.step = 500;
  recs[1]!.status = 'stopped';
  store.write(recs[1]!);
  const second = store.list().runs.find((r) => r.id === recs[1]!.id)!;
  assert.equal(second.step, 500);
  assert.equal(second.status, 'stopped');
  // The same bytes' length, the same inode and mtime: the listing keeps what it read. (Nothing
  // but a deliberate test rewrites run.json in place and restores its mtime.)
  const path = store.paths(recs[0]!.id).runJson;
  const t = Math.floor(Date.now() / 1000) - 60;
  utimesSync(path, t, t);
  store.list();
  const before = statSync(path);
  const text = JSON.stringify({ ...store.read(recs[0]!.id), step: 7 }, null, 2) + '\n';
  const same = JSON.stringify({ ...store.read(recs[0]!.id), step: 0 }, null, 2) + '\n';
  assert.equal(text.length, same.length);
  writeFileSync(path, text);
  utimesSync(path, t, t);
  assert.equal(statSync(path).ino, before.ino);
  assert.equal(store.list().runs.find((r) => r.id === recs[0]!.id)!.step, 0, 'not read again');
  assert.equal(store.read(recs[0]!.id).step, 7, 'read() itself always reads');
  // A touched file is read again.
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  assert.equal(store.list().runs.find((r) => r.id === recs[0]!.id)!.step, 7);
  rmSync(store.dirOf(recs[2]!.id), { recursive: true });
  assert.deepEqual(store.list().runs.map((r) => r.id).sort(), [recs[0]!.id, recs[1]!.id].sort());
});

test('list: a run.json spoiled after it was listed is reported, not served from memory', () => {
  const { store, recs } = storeWith(2);
  assert.equal(store.list().runs.length, 2);
  writeFileSync(store.paths(recs[0]!.id).runJson, '{"half": ');
  const l = store.list();
  assert.equal(l.runs.length, 1);
  assert.match(l.problems[0]!, /cannot read .*run\.json/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../../src/rl/checkpoint';
import type { AlgoCheckpoint } from '../../src/rl/algos/types';

function sample(v = 1): AlgoCheckpoint {
  return {
    algo: 'ppo',
    json: { step: 123 * v, rng: { s: [1, 2, 3, 4], spare: null }, nested: { a: [1, 'x'] } },
    arrays: {
      params: new Float32Array([v, -2.5, 3e-8]),
      moments: new Float64Array([Math.PI * v, -0]),
      counts: new Int32Array([-7, 2 ** 30]),
      flags: new Uint8Array([0, 1, 255]),
      'odd/name with spaces': new Float32Array(0),
    },
  };
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hp-ckpt-'));
  try {
    await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a checkpoint round-trips every array type and the JSON exactly', () =>
  withDir(async (dir) => {
    const ck = join(dir, 'step-100');
    await writeCheckpoint(ck, sample());
    const back = await readCheckpoint(ck);
    assert.deepEqual(back, sample());
    assert.ok(back.arrays.params instanceof Float32Array && back.arrays.counts instanceof Int32Array);
  }));

test('rewriting a checkpoint replaces it whole and leaves no temporary folders', () =>
  withDir(async (dir) => {
    const ck = join(dir, 'latest');
    await writeCheckpoint(ck, sample(1));
    await writeCheckpoint(ck, sample(2));
    assert.deepEqual(await readCheckpoint(ck), sample(2));
    assert.deepEqual(await readdir(dir), ['latest']);
  }));

test('a corrupted array file is reported by name', () =>
  withDir(async (dir) => {
    const ck = join(dir, 'c');
    await writeCheckpoint(ck, sample());
    const manifest = JSON.parse(await readFile(join(ck, 'checkpoint.json'), 'utf8')) as { arrays: { name: string; file: string }[] };
    const file = manifest.arrays.find((a) => a.name === 'moments')!.file;
    const bytes = await readFile(join(ck, file));
    bytes[3] ^= 0xff;
    await writeFile(join(ck, file), bytes);
    await assert.rejects(readCheckpoint(ck), (e: unknown) => e instanceof CheckpointError && /array "moments"\) is corrupted/.test(e.message));
    await truncate(join(ck, file), 4);
    await assert.rejects(readCheckpoint(ck), /corrupted \(size or checksum mismatch\)/);
  }));

test('a damaged or incomplete manifest and a missing folder are clear errors', () =>
  withDir(async (dir) => {
    const ck = join(dir, 'c');
    await writeCheckpoint(ck, sample());
    const text = await readFile(join(ck, 'checkpoint.json'), 'utf8');
    await writeFile(join(ck, 'checkpoint.json'), text.replace('123', '124'));
    await assert.rejects(readCheckpoint(ck), /checkpoint\.json is corrupted \(checksum mismatch\)/);
    await rm(join(ck, 'checkpoint.json.sha256'));
    await assert.rejects(readCheckpoint(ck), /incomplete/);
    await assert.rejects(readCheckpoint(join(dir, 'nope')), /no checkpoint at/);
  }));

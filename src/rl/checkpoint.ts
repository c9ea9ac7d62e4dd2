// An algorithm checkpoint on disk: one folder holding
//   checkpoint.json         { format, version, algo, json, arrays: [{ name, file, dtype, length, sha256 }] }
//   checkpoint.json.sha256  the SHA-256 of checkpoint.json
//   array-<i>.bin           each named array's raw little-endian bytes
// Written atomically: everything goes into a temporary sibling folder (files fsynced), which is
// then renamed into place, so a crash leaves either the old checkpoint or the new one, never a
// mix. Reading verifies every checksum and length and says which file is damaged.

import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isRecord } from '../shared/guards';
import type { AlgoCheckpoint, AlgoName } from './algos/types';

export const CHECKPOINT_FORMAT = 'hyperprompt-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'checkpoint.json';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

type ArrayType = AlgoCheckpoint['arrays'][string];
const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;
type DType = keyof typeof DTYPES;

function dtypeOf(a: ArrayType): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function bytesOf(a: ArrayType): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface ArrayEntry {
  name: string;
  file: string;
  dtype: DType;
  length: number;
  sha256: string;
}

/** Writes `ckpt` to folder `dir` atomically (replacing a previous checkpoint there). */
export async function writeCheckpoint(dir: string, ckpt: AlgoCheckpoint): Promise<void> {
  if (os.endianness() !== 'LE') throw new CheckpointError('checkpoints are little-endian; this machine is not');
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    const entries: ArrayEntry[] = [];
    let i = 0;
    for (const [name, arr] of Object.entries(ckpt.arrays)) {
      const file = `array-${i++}.bin`;
      const bytes = bytesOf(arr);
      await writeFileSynced(join(tmp, file), bytes);
      entries.push({ name, file, dtype: dtypeOf(arr), length: arr.length, sha256: sha256(bytes) });
    }
    const manifest = JSON.stringify({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, algo: ckpt.algo, json: ckpt.json, arrays: entries });
    const manifestBytes = Buffer.from(manifest, 'utf8');
    await writeFileSynced(join(tmp, MANIFEST), manifestBytes);
    await writeFileSynced(join(tmp, `${MANIFEST}.sha256`), `${sha256(manifestBytes)}\n`);
    // Swap into place: move any old checkpoint aside first (rename onto a non-empty folder fails).
    let old: string | undefined;
    if (await exists(dir)) {
      old = join(parent, `.${basename(dir)}.old-${randomBytes(6).toString('hex')}`);
      await rename(dir, old);
    }
    await rename(tmp, dir);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new CheckpointError(`the disk is full: cannot write the checkpoint ${dir} (${code}). Free space in ${parent} and resume the run; earlier checkpoints are intact.`);
    throw e;
  }
}

/**
 * Removes temporary folders a writer killed mid-checkpoint left in `parent` (`.name.tmp-*`,
 * `.name.old-*`): they were never announced, so nothing refers to them. Returns their names.
 */
export function removeStaleTemporaries(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const stale = names.filter((n) => /^\..+\.(tmp|old)-[0-9a-f]{12}$/.test(n));
  for (const n of stale) rmSync(join(parent, n), { recursive: true, force: true });
  return stale;
}

/**
 * Checks a checkpoint folder without loading it: the manifest's checksum, then each array
 * file's size and SHA-256. Returns what is wrong in words, or undefined when it is whole.
 * Synchronous, for a host choosing which checkpoint to resume from.
 */
export function checkpointProblemSync(dir: string): string | undefined {
  const manifestPath = join(dir, MANIFEST);
  let manifestBytes: Buffer;
  try {
    manifestBytes = readFileSync(manifestPath);
  } catch {
    return `${MANIFEST} is missing`;
  }
  let expected: string;
  try {
    expected = readFileSync(`${manifestPath}.sha256`, 'utf8').trim();
  } catch {
    return `${MANIFEST}.sha256 is missing (incomplete checkpoint)`;
  }
  if (sha256(manifestBytes) !== expected) return `${MANIFEST} is corrupted (checksum mismatch)`;
  let m: unknown;
  try {
    m = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return `${MANIFEST} is not valid JSON`;
  }
  if (!isRecord(m) || m.format !== CHECKPOINT_FORMAT || !Array.isArray(m.arrays)) return 'not a HyperPrompt checkpoint';
  for (const raw of m.arrays as unknown[]) {
    if (!isRecord(raw) || typeof raw.file !== 'string' || !/^array-\d+\.bin$/.test(raw.file) || typeof raw.length !== 'number' || typeof raw.sha256 !== 'string' || typeof raw.dtype !== 'string' || !(raw.dtype in DTYPES))
      return `a malformed array entry in ${MANIFEST}`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, raw.file));
    } catch {
      return `${raw.file} is missing`;
    }
    if (bytes.length !== raw.length * DTYPES[raw.dtype as DType].BYTES_PER_ELEMENT) return `${raw.file} is truncated or too long (${bytes.length} bytes, expected ${raw.length * DTYPES[raw.dtype as DType].BYTES_PER_ELEMENT})`;
    if (sha256(bytes) !== raw.sha256) return `${raw.file} is corrupted (checksum mismatch)`;
  }
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Reads and verifies a checkpoint folder; throws CheckpointError naming what is wrong. */
export async function readCheckpoint(dir: string): Promise<AlgoCheckpoint> {
  const manifestPath = join(dir, MANIFEST);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(manifestPath);
  } catch (e) {
    throw new CheckpointError(`no checkpoint at ${dir} (${(e as Error).message}); pick a folder written by a checkpoint`);
  }
  let expected: string;
  try {
    expected = (await readFile(`${manifestPath}.sha256`, 'utf8')).trim();
  } catch {
    throw new CheckpointError(`checkpoint ${dir} has no ${MANIFEST}.sha256; it is incomplete, use an earlier checkpoint`);
  }
  if (sha256(manifestBytes) !== expected) throw new CheckpointError(`checkpoint ${dir}: ${MANIFEST} is corrupted (checksum mismatch); use an earlier checkpoint`);
  let m: unknown;
  try {
    m = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new CheckpointError(`checkpoint ${dir}: ${MANIFEST} is not valid JSON`);
  }
  if (!isRecord(m) || m.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${dir} is not a HyperPrompt checkpoint`);
  if (m.version !== CHECKPOINT_VERSION) throw new CheckpointError(`checkpoint ${dir} has format version ${String(m.version)}; this build reads version ${CHECKPOINT_VERSION}`);
  if (m.algo !== 'ppo' && m.algo !== 'dqn' && m.algo !== 'sac') throw new CheckpointError(`checkpoint ${dir}: unknown algorithm ${JSON.stringify(m.algo)}`);
  if (!isRecord(m.json) || !Array.isArray(m.arrays)) throw new CheckpointError(`checkpoint ${dir}: ${MANIFEST} lacks "json" or "arrays"`);
  const arrays: AlgoCheckpoint['arrays'] = {};
  for (const raw of m.arrays as unknown[]) {
    if (!isRecord(raw) || typeof raw.name !== 'string' || typeof raw.file !== 'string' || !/^array-\d+\.bin$/.test(raw.file) || typeof raw.length !== 'number' || typeof raw.sha256 !== 'string' || typeof raw.dtype !== 'string' || !(raw.dtype in DTYPES))
      throw new CheckpointError(`checkpoint ${dir}: a malformed array entry in ${MANIFEST}`);
    const Ctor = DTYPES[raw.dtype as DType];
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, raw.file));
    } catch {
      throw new CheckpointError(`checkpoint ${dir}: ${raw.file} (array "${raw.name}") is missing; use an earlier checkpoint`);
    }
    if (bytes.length !== raw.length * Ctor.BYTES_PER_ELEMENT || sha256(bytes) !== raw.sha256)
      throw new CheckpointError(`checkpoint ${dir}: ${raw.file} (array "${raw.name}") is corrupted (size or checksum mismatch); use an earlier checkpoint`);
    const copy = new Uint8Array(bytes.length); // aligned, owned buffer
    copy.set(bytes);
    arrays[raw.name] = new Ctor(copy.buffer, 0, raw.length);
  }
  return { algo: m.algo as AlgoName, json: m.json, arrays };
}

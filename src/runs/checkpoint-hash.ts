// The host's own checksum of a checkpoint, whatever trainer wrote it (the built-in one, the
// Python client, a user's script): a file is hashed as its bytes; a folder as the sorted list
// of its files' relative names with each file's SHA-256. Taken when the trainer announces the
// checkpoint (asynchronously, streaming: the host's event loop is not blocked by a large
// replay buffer) and compared on resume, so a checkpoint truncated or corrupted since is
// detected and the resume falls back to the one before it.

import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface CheckpointHash {
  sha256: string;
  bytes: number;
}

async function hashFile(path: string): Promise<CheckpointHash> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function filesUnderSync(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnderSync(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function combine(dir: string, entries: { path: string; hash: CheckpointHash }[]): CheckpointHash {
  const h = createHash('sha256');
  let bytes = 0;
  for (const e of entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${relative(dir, e.path)}\0${e.hash.sha256}\0${e.hash.bytes}\n`);
    bytes += e.hash.bytes;
  }
  return { sha256: h.digest('hex'), bytes };
}

/** Hashes a checkpoint file or folder (streaming). Throws when it cannot be read. */
export async function hashCheckpoint(path: string): Promise<CheckpointHash> {
  if (!(await stat(path)).isDirectory()) return hashFile(path);
  const files = await filesUnder(path);
  const entries = [];
  for (const f of files) entries.push({ path: f, hash: await hashFile(f) });
  return combine(path, entries);
}

/** The same, synchronously (a resume choosing its checkpoint). */
export function hashCheckpointSync(path: string): CheckpointHash {
  const hashOne = (p: string): CheckpointHash => {
    const data = readFileSync(p);
    return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
  };
  if (!statSync(path).isDirectory()) return hashOne(path);
  return combine(
    path,
    filesUnderSync(path).map((f) => ({ path: f, hash: hashOne(f) })),
  );
}

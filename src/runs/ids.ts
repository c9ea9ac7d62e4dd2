// Run ids are generated here, never taken from user input as paths. An id that arrives from
// input (a CLI argument, a webview message) is checked against the id alphabet and then
// confined to the runs folder, symlinks included.

import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type Check, describeValue, fail, ok } from '../shared/guards';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'run';
}

/** `20261121-054500-cartpole-v1-ppo-3fa9c2`: sortable by time, readable, unique. */
export function newRunId(env: string, algo: string, now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${slug(env)}-${slug(algo)}-${randomBytes(3).toString('hex')}`;
}

export function checkRunId(id: string): Check<string> {
  if (!ID_PATTERN.test(id) || id.includes('..'))
    return fail(`"${describeValue(id, 60).replace(/^"|"$/g, '')}" is not a run id (letters, digits, ".", "_" and "-" only; list runs with "hyperprompt runs list")`);
  return ok(id);
}

/** True when `child` is `parent` or inside it (both absolute). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The folder of run `id` under `root`, or an error when the id is malformed or the folder
 * (after resolving symlinks, when it exists) lies outside `root`.
 */
export function resolveRunDir(root: string, id: string): Check<string> {
  const c = checkRunId(id);
  if (!c.ok) return c;
  const absRoot = resolve(root);
  const dir = join(absRoot, id);
  if (!isInside(absRoot, dir) || dir === absRoot) return fail(`run id "${id}" points outside the runs folder ${absRoot}: refused`);
  let realRoot = absRoot;
  let realDir = dir;
  try {
    realRoot = realpathSync(absRoot);
    realDir = realpathSync(dir);
  } catch {
    return ok(dir); // does not exist (yet): the lexical check above is all there is
  }
  if (!isInside(realRoot, realDir) || realDir === realRoot) return fail(`run folder "${id}" resolves to ${realDir}, outside the runs folder ${realRoot}: refused`);
  return ok(dir);
}

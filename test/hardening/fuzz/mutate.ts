// Structure-aware mutation: start from a VALID message (or run file, or proposal) and break
// exactly one thing, at a known path, so a rejection can be held to naming that path.

import type { Dice } from './random';
import { arbitraryValue, boundaryNumber, cloneOnlyValue, deepNest, deepText, nastyString, pollutingObject, POLLUTION_KEYS, setOwn } from './values';

export type Path = (string | number)[];

export type MutationKind = 'swap' | 'boundary' | 'delete' | 'extra' | 'pollute' | 'deep' | 'huge' | 'none';

export interface Mutated {
  value: unknown;
  /** Where the change was made ([] = the whole value). */
  path: Path;
  kind: MutationKind;
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && deepText(v) === undefined;
}

/** Every path in a (shallow, valid) value, the root included. */
export function allPaths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (out.length > 400 || !isContainer(v)) return out;
  if (Array.isArray(v)) v.slice(0, 6).forEach((x, i) => allPaths(x, [...prefix, i], out));
  else for (const k of Object.keys(v)) allPaths(v[k], [...prefix, k], out);
  return out;
}

export function getAt(v: unknown, path: Path): unknown {
  let cur = v;
  for (const seg of path) cur = (cur as Record<string | number, unknown>)[seg];
  return cur;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A value of a different JSON type than `old`. */
function swapType(d: Dice, old: unknown, clone: boolean): unknown {
  const pool: unknown[] = [null, true, false, 0, -1, 1.5, '', 'x', '1', 'true', [], [old], {}, { value: old }];
  if (clone) pool.push(NaN, Infinity, undefined, cloneOnlyValue(d));
  for (let i = 0; i < 10; i++) {
    const c = d.pick(pool);
    if (typeOf(c) !== typeOf(old) || (clone && typeof c === 'number' && !Number.isFinite(c))) return c;
  }
  return typeof old === 'string' ? 0 : 'x';
}

function boundaryFor(d: Dice, old: unknown, clone: boolean): unknown {
  if (typeof old === 'number') {
    if (clone && d.chance(0.15)) return d.pick([NaN, Infinity, -Infinity]);
    return d.chance(0.7) ? boundaryNumber(d) : old + d.pick([-1, 1, -0.5, 1e-9]);
  }
  if (typeof old === 'string') return d.chance(0.7) ? nastyString(d) : old + nastyString(d);
  if (Array.isArray(old)) {
    const r = d.int(3);
    if (r === 0) return [];
    if (r === 1) return old.concat(old, old, old);
    return [...old, arbitraryValue(d, 2, clone)];
  }
  if (typeof old === 'boolean') return d.pick([0, 1, 'true', 'false', 'yes', null]);
  return {};
}

/**
 * Breaks one thing in `valid` (a fresh value: it is changed in place). `clone`: the input
 * travels by structured clone (webview), so non-JSON values are fair game.
 */
export function mutateOne(d: Dice, valid: unknown, clone = false): Mutated {
  const paths = allPaths(valid);
  const path = d.pick(paths);
  const old = getAt(valid, path);
  const kind = d.weighted<MutationKind>([
    [4, 'swap'],
    [4, 'boundary'],
    [path.length > 0 ? 3 : 0, 'delete'],
    [isContainer(old) && !Array.isArray(old) ? 2 : 0, 'extra'],
    [isContainer(old) && !Array.isArray(old) ? 1 : 0, 'pollute'],
    [0.4, 'deep'],
    [0.1, 'huge'],
  ]);
  if (kind === 'extra' || kind === 'pollute') {
    const key = kind === 'pollute' ? d.pick(POLLUTION_KEYS) : d.chance(0.5) ? nastyString(d).slice(0, 200) || 'extra' : `extra_${d.int(100)}`;
    setOwn(old as object, key, kind === 'pollute' ? pollutingObject(d) : arbitraryValue(d, 2, clone));
    return { value: valid, path: [...path, key], kind };
  }
  let replacement: unknown;
  switch (kind) {
    case 'swap':
      replacement = swapType(d, old, clone);
      break;
    case 'boundary':
      replacement = boundaryFor(d, old, clone);
      break;
    case 'deep':
      replacement = deepNest(d.pick([100, 5000, 10_000]), d.pick(['array', 'object', 'mixed'] as const));
      break;
    case 'huge':
      replacement = d.chance(0.5) ? 'H'.repeat(d.range(200_000, 1_100_000)) : new Array(d.range(10_000, 200_000)).fill(d.pick([1, 'x', null]));
      break;
    default:
      replacement = undefined;
  }
  if (path.length === 0) return { value: kind === 'delete' ? undefined : replacement, path, kind };
  const parent = getAt(valid, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const last = path[path.length - 1]!;
  if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last as string];
  } else if (Array.isArray(parent)) parent[last as number] = replacement;
  else setOwn(parent, last as string, replacement);
  return { value: valid, path, kind };
}

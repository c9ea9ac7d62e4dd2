// Generators of hostile values: the wrong type, boundary numbers, unicode that breaks naive
// code (lone surrogates, bidi overrides, NUL, terminal escapes, emoji), huge strings, 10k-level
// nesting and prototype-pollution keys. Deep values are built by JSON.parse (as a real peer
// would send them) and remembered, so the serializer below can write them back without
// recursing 10k frames.

import type { Dice } from './random';

export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202eevil\u202c',
  '\u2067rtl\u2069',
  'שלום',
  'مرحبا',
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '\u001b[2J\u001b[31mred\u001b[0m',
  '\u009b31m',
  'line\nbreak',
  'cr\rreturn',
  '\u2028\u2029',
  '\u0085',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '-0',
  'true',
  '0x10',
  ' 1 ',
  '1_000',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../etc/passwd',
  'C:\\Windows\\System32',
  '<img src=x onerror=alert(1)>',
  '%s%n%x',
  '${process.exit(1)}',
  '"; rm -rf / #',
];

export const BOUNDARY_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  3,
  10,
  1e-7,
  5e-324,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32,
  2 ** 32 - 1,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1.5,
  0.1 + 0.2,
];

/** Keys that try to reach Object.prototype through naive merging. */
export const POLLUTION_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'];

const DEEP_TEXT = new WeakMap<object, string>();

/** The JSON text a deep value was parsed from, if it is one (for the serializer). */
export function deepText(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? DEEP_TEXT.get(v) : undefined;
}

/** `levels` of nested arrays or objects, as JSON.parse builds them. */
export function deepNest(levels: number, kind: 'array' | 'object' | 'mixed'): unknown {
  let open = '';
  let close = '';
  if (kind === 'array') {
    open = '['.repeat(levels);
    close = ']'.repeat(levels);
  } else if (kind === 'object') {
    open = '{"a":'.repeat(levels);
    close = '}'.repeat(levels);
  } else {
    open = '[{"a":'.repeat(levels >> 1);
    close = '}]'.repeat(levels >> 1);
  }
  const text = `${open}1${close}`;
  const v = JSON.parse(text) as object;
  DEEP_TEXT.set(v, text);
  return v;
}

/** Sets an own enumerable property, even `__proto__` (as JSON.parse does), never the prototype. */
export function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

export function nastyString(d: Dice): string {
  const r = d.int(10);
  if (r < 6) return d.pick(NASTY_STRINGS);
  if (r < 8) {
    let s = '';
    const n = d.size(40);
    for (let i = 0; i < n; i++) s += d.pick(NASTY_STRINGS);
    return s;
  }
  if (r < 9 || !d.chance(0.1)) return d.pick(['a', 'é', '🙂', '\ud800', 'x\u0000']).repeat(d.size(5000));
  // Rare (1%): a big one (100 kB to 1 MB) so message bounds and linear time are tested.
  return 'Z'.repeat(d.range(100_000, 1_000_000));
}

export function boundaryNumber(d: Dice): number {
  return d.pick(BOUNDARY_NUMBERS);
}

/**
 * A value of any JSON type, small and shallow most of the time, with the odd deep, huge or
 * polluting one. `clone` adds values only structured clone carries (NaN, undefined, BigInt,
 * Date, Map, typed arrays, cycles): what a webview's postMessage can deliver.
 */
export function arbitraryValue(d: Dice, depth = 0, clone = false): unknown {
  const kinds: [number, string][] = [
    [3, 'null'],
    [3, 'bool'],
    [6, 'number'],
    [6, 'string'],
    [depth < 4 ? 4 : 0, 'array'],
    [depth < 4 ? 5 : 0, 'object'],
    [depth === 0 ? 0.6 : 0.05, 'deep'],
    [2, 'pollute'],
    [clone ? 3 : 0, 'clone-only'],
  ];
  switch (d.weighted(kinds)) {
    case 'null':
      return null;
    case 'bool':
      return d.chance(0.5);
    case 'number':
      return d.chance(0.6) ? boundaryNumber(d) : (d.chance(0.5) ? -1 : 1) * d.int(1000) * (d.chance(0.3) ? 0.001 : 1);
    case 'string':
      return nastyString(d);
    case 'array': {
      const n = d.chance(0.02) ? d.range(1000, 50_000) : d.size(6);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(i < 8 ? arbitraryValue(d, depth + 1, clone) : i);
      return out;
    }
    case 'object': {
      const o: Record<string, unknown> = {};
      const n = d.size(6);
      for (let i = 0; i < n; i++) setOwn(o, d.chance(0.5) ? d.pick(['type', 'step', 'values', 'name', 'id', 'a']) : nastyString(d).slice(0, 300), arbitraryValue(d, depth + 1, clone));
      return o;
    }
    case 'deep':
      return deepNest(d.pick([64, 1000, 10_000, 12_000]), d.pick(['array', 'object', 'mixed'] as const));
    case 'pollute':
      return pollutingObject(d);
    default:
      return cloneOnlyValue(d);
  }
}

/** An object whose own keys would reach a prototype if merged naively. */
export function pollutingObject(d: Dice): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  setOwn(o, d.pick(POLLUTION_KEYS), d.chance(0.5) ? { polluted: 'yes' } : { prototype: { polluted: 'yes' } });
  if (d.chance(0.5)) setOwn(o, 'polluted', 'own');
  return o;
}

export function cloneOnlyValue(d: Dice): unknown {
  switch (d.int(11)) {
    case 0:
      return NaN;
    case 1:
      return Infinity;
    case 2:
      return -Infinity;
    case 3:
      return undefined;
    case 4:
      return BigInt(d.int(100)) ** 30n;
    case 5:
      return new Date(d.int(2) ? 0 : NaN);
    case 6:
      return new Map([['type', 'ready']]);
    case 7:
      return new Float64Array([1, 2, NaN]);
    case 8: {
      const cyc: Record<string, unknown> = { type: 'ready' };
      cyc.self = cyc;
      return cyc;
    }
    case 9: {
      const sparse: unknown[] = [];
      sparse[d.range(5, 100)] = 1;
      return sparse;
    }
    default:
      return new Set([1, 2]);
  }
}

/**
 * JSON text of a generated value. Unlike JSON.stringify it writes 10k-level values (from
 * their remembered text) and, with `rawNonFinite`, NaN/Infinity as bare words, which a
 * buggy Python trainer (`json.dumps(float('nan'))`) really prints.
 */
export function toText(v: unknown, rawNonFinite = false): string {
  const deep = deepText(v);
  if (deep !== undefined) return deep;
  if (typeof v === 'number') return Number.isFinite(v) || !rawNonFinite ? JSON.stringify(v) : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return JSON.stringify(`<Buffer ${v.toString('hex')}>`);
  if (v === undefined) return 'null';
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => toText(x, rawNonFinite)).join(',')}]`;
  const seen = v as Record<string, unknown>;
  return `{${Object.keys(seen)
    .filter((k) => seen[k] !== seen)
    .map((k) => `${JSON.stringify(k)}:${toText(seen[k], rawNonFinite)}`)
    .join(',')}}`;
}

/** Invalid or awkward UTF-8 byte sequences for the line splitter. */
export const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0x80],
  [0x00],
  [0x0d],
  [0x0d, 0x0a],
  [0xef, 0xbb, 0xbf],
];

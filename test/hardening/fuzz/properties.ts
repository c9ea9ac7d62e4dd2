// What every parser must do with any input: return (or throw its own typed error) quickly,
// reject with a message a person can act on, accept only values of the promised shape, and
// leave the prototypes of Object and Array alone.

import type { Path } from './mutate';

/** A rejection message longer than this means input was quoted unbounded. */
export const MAX_MESSAGE_CHARS = 1500;
/** One input taking longer than this is a hang (deep nesting, quadratic work). */
export const SLOW_MS = 1000;

// C0 controls (tab and, where allowed, newline excepted), DEL, C1 controls, line/paragraph
// separators and bidi overrides/isolates: a message quoting them raw can redraw a terminal,
// fake extra log lines or display text reversed ("Trojan Source").
const UNSAFE_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Either of the above, for writing a name the way a careful message quotes it (\uXXXX). */
const ANY_UNSAFE = new RegExp(`${UNSAFE_CHARS.source}|${LONE_SURROGATE.source}`, 'g');

/** Problems with a rejection message (empty when it is fine). */
export function messageProblems(msg: unknown, path: Path | undefined, allowNewlines: boolean): string[] {
  if (typeof msg !== 'string' || msg.trim() === '') return ['rejection message is empty'];
  const out: string[] = [];
  if (msg.length > MAX_MESSAGE_CHARS) out.push(`rejection message is ${msg.length} chars (limit ${MAX_MESSAGE_CHARS}): input quoted unbounded`);
  const unsafe = UNSAFE_CHARS.exec(msg);
  if (unsafe && !(allowNewlines && unsafe[0] === '\n' && !UNSAFE_CHARS.test(msg.replace(/\n/g, ' '))))
    out.push(`rejection message contains the raw control/bidi character U+${unsafe[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (LONE_SURROGATE.test(msg)) out.push('rejection message contains a lone UTF-16 surrogate');
  if (path && !namesPath(msg, path)) out.push(`rejection message does not name the field that was wrong (${path.map(String).join('.')})`);
  return out;
}

/** Whether the message mentions some named segment of `path` (as written, or JSON-escaped). */
export function namesPath(msg: string, path: Path): boolean {
  const named = path.filter((s): s is string => typeof s === 'string');
  if (named.length === 0) return true;
  return named.some((seg) => {
    if (seg === '') return msg.includes('""') || msg.includes('empty');
    // As written, JSON-escaped, or as the product quotes names (control and bidi characters escaped).
    const escaped = JSON.stringify(seg).slice(1, -1);
    const forms = [seg, escaped, escaped.replace(ANY_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)];
    return forms.some((f) => msg.includes(f.slice(0, 16)));
  });
}

const BUILTIN_PROTOTYPES = new Set<object>(
  [Map, Set, Date, RegExp, Error, ArrayBuffer, DataView, Boolean, Number, String, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((c) => c.prototype as object),
);

/** Objects in an accepted value whose prototype is not Object's, Array's or null (a `__proto__` that took effect). */
export function foreignPrototype(v: unknown): string | undefined {
  const stack: [unknown, string][] = [[v, '']];
  let seen = 0;
  while (stack.length && seen++ < 100_000) {
    const [x, p] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    const proto = Object.getPrototypeOf(x);
    // Built-ins (Map, Date, typed arrays: structured clone carries them) are fine; a prototype
    // that is itself a plain object came from the input's `__proto__`.
    if (proto !== null && proto !== Object.prototype && proto !== Array.prototype && !BUILTIN_PROTOTYPES.has(proto)) return `${p || '(root)'} has a foreign prototype`;
    for (const k of Object.keys(x)) stack.push([(x as Record<string, unknown>)[k], `${p}.${k}`]);
  }
  return undefined;
}

const BASELINE = {
  object: Object.getOwnPropertyNames(Object.prototype).sort().join(','),
  array: Object.getOwnPropertyNames(Array.prototype).sort().join(','),
};

/** Whether anything was added to Object.prototype or Array.prototype. */
export function globalPollution(): string | undefined {
  if ((({}) as Record<string, unknown>).polluted !== undefined) return 'Object.prototype.polluted is set';
  if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== BASELINE.object) return 'Object.prototype gained a property';
  if (Object.getOwnPropertyNames(Array.prototype).sort().join(',') !== BASELINE.array) return 'Array.prototype gained a property';
  return undefined;
}

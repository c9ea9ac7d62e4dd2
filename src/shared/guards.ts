// Small runtime checks for data that arrives as `unknown` (from a process, a file, a socket
// or a webview). Each returns a narrowed type or a precise reason, never throws.

export type Check<T> = { ok: true; value: T } | { ok: false; error: string };

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export function isStringRecordOf<T>(v: unknown, item: (x: unknown) => x is T): v is Record<string, T> {
  if (!isRecord(v)) return false;
  for (const k of Object.keys(v)) if (!item(v[k])) return false;
  return true;
}

export function ok<T>(value: T): Check<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: string): Check<T> {
  return { ok: false, error };
}

// Characters that must not reach a terminal, a log or a notification raw: C0 controls, DEL,
// C1 controls (U+009B is a one-byte CSI), line/paragraph separators, bidi marks, embeddings,
// overrides and isolates ("Trojan Source"), and lone UTF-16 surrogates (not text at all).
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const UNPRINTABLE_ONE = new RegExp(UNPRINTABLE.source);

/** Whether `s` holds a character `printable` would escape (control, bidi, lone surrogate). */
export function hasUnprintable(s: string): boolean {
  return UNPRINTABLE_ONE.test(s);
}

/** Where to cut `s` to at most `max` characters without splitting a surrogate pair. */
export function cutEnd(s: string, max: number): number {
  if (s.length <= max) return s.length;
  const c = s.charCodeAt(max - 1);
  return c >= 0xd800 && c <= 0xdbff ? max - 1 : max;
}

/**
 * `s` cut to `max` characters (never between the halves of a surrogate pair, an ellipsis
 * marking the cut) with every unprintable character written as a \uXXXX escape. Untrusted
 * text that goes into an error message passes through this.
 */
export function printable(s: string, max = 200): string {
  const cut = s.length > max ? `${s.slice(0, cutEnd(s, max))}…` : s;
  return cut.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON text of `v`, stopped soon after `budget` characters: O(budget), not O(size of v), so a
 * 200k-item array or a 10k-level nesting (both arrive by plain JSON.parse) costs nothing to
 * describe. Same text as JSON.stringify as far as it goes; also handles what JSON.stringify
 * throws on (cycles, BigInt, depth).
 */
function boundedJson(v: unknown, budget: number): string {
  const out: string[] = [];
  let len = 0;
  const open = new Set<object>();
  const put = (s: string): void => {
    out.push(s);
    len += s.length;
  };
  const str = (s: string): string => JSON.stringify(s.length > budget ? s.slice(0, budget + 1) : s);
  const walk = (x: unknown, depth: number, inArray: boolean): void => {
    if (len > budget) return;
    if (x === null || typeof x === 'boolean' || typeof x === 'number') return put(JSON.stringify(x));
    if (typeof x === 'string') return put(str(x));
    if (typeof x === 'bigint') return put(String(x));
    if (typeof x !== 'object') return put(inArray ? 'null' : 'undefined');
    if (open.has(x)) return put('"[circular]"');
    if (depth >= 32) return put(Array.isArray(x) ? '[…]' : '{…}');
    if (typeof (x as { toJSON?: unknown }).toJSON === 'function') {
      try {
        return put(JSON.stringify(x) ?? 'null');
      } catch {
        return put('null');
      }
    }
    open.add(x);
    if (Array.isArray(x)) {
      put('[');
      for (let i = 0; i < x.length && len <= budget; i++) {
        if (i) put(',');
        walk(x[i], depth + 1, true);
      }
      put(']');
    } else {
      put('{');
      let first = true;
      const rec = x as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        if (len > budget) break;
        const val = rec[k];
        if (val === undefined || typeof val === 'function' || typeof val === 'symbol') continue;
        if (!first) put(',');
        first = false;
        put(`${str(k)}:`);
        walk(val, depth + 1, false);
      }
      put('}');
    }
    open.delete(x);
  };
  walk(v, 0, false);
  return out.join('');
}

/**
 * A short, printable rendering of an offending value for error messages. Never throws
 * (cycles, BigInt, 10k-level nesting, `{"toString": 1}`), costs O(max) whatever the value's
 * size, is never longer than `max` (plus an ellipsis and escapes), and never carries a raw
 * control or bidi character.
 */
export function describeValue(v: unknown, max = 80): string {
  return printable(boundedJson(v, max + 1), max);
}

/** A name (key, hyperparameter, series) quoted for a message: `"name"`, escaped, bounded. */
export function quoteName(name: string, max = 60): string {
  return printable(JSON.stringify(name), max);
}

/**
 * A list of names or choices for a message ("valid: a, b, c"), bounded: past `max`
 * characters the rest is counted, not listed.
 */
export function listNames(items: readonly unknown[], max = 300): string {
  const out: string[] = [];
  let len = 0;
  for (const it of items) {
    const s = typeof it === 'string' && /^[\w.\-/:+ ]{1,60}$/.test(it) ? it : describeValue(it, 40);
    if (len + s.length > max && out.length > 0) {
      out.push(`… (${items.length - out.length} more)`);
      break;
    }
    out.push(s);
    len += s.length + 2;
  }
  return out.join(', ');
}

/** A name as written when it is plain (`learning_rate`), quoted and escaped when not. */
export function nameOf(name: string): string {
  return /^[\w.\-/:]{1,60}$/.test(name) ? name : quoteName(name);
}

/** Joins several problems into one message, at most `keep` of them, the rest counted. */
export function joinProblems(errors: readonly string[], sep = '; ', keep = 5): string {
  if (errors.length <= keep) return errors.join(sep);
  return `${errors.slice(0, keep).join(sep)}${sep}and ${errors.length - keep} more problem${errors.length - keep > 1 ? 's' : ''}`;
}

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

/** A short, printable rendering of an offending value for error messages. */
export function describeValue(v: unknown, max = 80): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

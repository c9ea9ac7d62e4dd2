// Runs a target over N generated inputs and checks the properties on each; a failing input
// is shrunk (by truncation and deletion) so it can be read, and reported with the seed and
// index that regenerate it.

import { Dice, inputSeed } from './random';
import { foreignPrototype, globalPollution, messageProblems, SLOW_MS } from './properties';
import type { Path } from './mutate';
import { deepText, toText } from './values';

export interface Generated {
  input: unknown;
  /** Set when one field of a valid value was broken: a rejection must name it. */
  path?: Path;
  /** How it was made (for counts and reports). */
  kind: string;
}

/** A parser's answer: accepted with a value, or rejected with a message. Throwing is a crash. */
export type Outcome = { accepted: true; value: unknown } | { accepted: false; error: string };

export interface Target {
  name: string;
  description: string;
  generate(d: Dice): Generated;
  run(input: unknown): Outcome;
  /** Extra checks on an accepted value (shape, round trip); a string is a violation. */
  checkAccepted?(value: unknown, g: Generated): string | undefined;
  /** Extra checks on a rejection (e.g. lists the valid choices). */
  checkRejected?(error: string, g: Generated): string | undefined;
  /** Multi-line messages are fine here (the CLI prints one problem per line). */
  allowNewlines?: boolean;
  /** Whether a rejection must name the mutated path (false where the parser sees text, not fields). */
  namesFields?: boolean;
}

export interface Failure {
  target: string;
  seed: number;
  index: number;
  problem: string;
  kind: string;
  /** The shrunk input, printable. */
  input: string;
  /** The parser's rejection message for the original input, if it rejected it. */
  message?: string;
  originalSize: number;
}

export interface Counts {
  target: string;
  inputs: number;
  accepted: number;
  rejected: number;
  crashes: number;
  violations: number;
  slowestMs: number;
  ms: number;
  failures: Failure[];
}

/** Every problem one input shows (empty: fine). Crashes start with "crash:". */
export function evaluate(t: Target, g: Generated): { outcome?: Outcome; problems: string[]; ms: number } {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    outcome = t.run(g.input);
  } catch (e) {
    const err = e as Error;
    return { problems: [`crash: ${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 200)}`], ms: performance.now() - t0 };
  }
  let ms = performance.now() - t0;
  const problems: string[] = [];
  if (ms > SLOW_MS) {
    // Once more before calling it a hang: on a loaded machine one slow run can be a GC pause
    // or another process; a real hang (deep recursion, quadratic work) is slow every time.
    const t1 = performance.now();
    try {
      t.run(g.input);
    } catch {
      // Same input, same outcome: already recorded above.
    }
    ms = Math.min(ms, performance.now() - t1);
    if (ms > SLOW_MS) problems.push(`slow: took ${Math.round(ms)} ms (twice)`);
  }
  if (outcome.accepted) {
    const shape = t.checkAccepted?.(outcome.value, g);
    if (shape) problems.push(`accepted a bad value: ${shape}`);
    const proto = foreignPrototype(outcome.value);
    if (proto) problems.push(`accepted value: ${proto}`);
  } else {
    problems.push(...messageProblems(outcome.error, t.namesFields === false ? undefined : g.path, t.allowNewlines ?? false));
    const extra = t.checkRejected?.(outcome.error, g);
    if (extra) problems.push(extra);
  }
  const polluted = globalPollution();
  if (polluted) problems.push(`prototype pollution: ${polluted}`);
  return { outcome, problems, ms };
}

/** Printable form of an input, cut to `max` characters. */
export function preview(input: unknown, max = 1500): string {
  let s: string;
  if (Buffer.isBuffer(input)) s = `<Buffer ${input.toString('hex')}>`;
  else if (typeof input === 'string') s = JSON.stringify(input);
  else {
    try {
      s = toText(input, true);
    } catch {
      s = String(input);
    }
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

function size(input: unknown): number {
  if (typeof input === 'string' || Buffer.isBuffer(input)) return input.length;
  try {
    return toText(input).length;
  } catch {
    return 0;
  }
}

/** Smaller candidates of an input: halves, cuts, each child in its parent's place, keys removed. */
function* candidates(input: unknown): Generator<unknown> {
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const n = input.length;
    for (const len of [n >> 1, (3 * n) >> 2, n - 1]) if (len > 0 && len < n) yield Buffer.isBuffer(input) ? input.subarray(0, len) : input.slice(0, len);
    for (const from of [n >> 1, n >> 2, 1]) if (from > 0 && from < n) yield Buffer.isBuffer(input) ? input.subarray(from) : (input as string).slice(from);
    return;
  }
  if (typeof input !== 'object' || input === null || deepText(input) !== undefined) return;
  if (Array.isArray(input)) {
    if (input.length > 1) yield input.slice(0, input.length >> 1);
    for (let i = 0; i < Math.min(input.length, 20); i++) yield [...input.slice(0, i), ...input.slice(i + 1)];
    for (let i = 0; i < Math.min(input.length, 20); i++)
      for (const c of candidates(input[i])) {
        const copy = input.slice();
        copy[i] = c;
        yield copy;
      }
    return;
  }
  const o = input as Record<string, unknown>;
  const keys = Object.keys(o);
  for (const k of keys) {
    const copy: Record<string, unknown> = {};
    for (const j of keys) if (j !== k) Object.defineProperty(copy, j, { value: o[j], enumerable: true, writable: true, configurable: true });
    yield copy;
  }
  for (const k of keys)
    for (const c of candidates(o[k])) {
      const copy: Record<string, unknown> = {};
      for (const j of keys) Object.defineProperty(copy, j, { value: j === k ? c : o[j], enumerable: true, writable: true, configurable: true });
      yield copy;
    }
}

/** Greedy shrinking: keep any smaller candidate that still shows the same kind of problem. */
export function shrink(t: Target, g: Generated, problem: string, budget = 300): unknown {
  const cls = problem.split(':')[0]!;
  let best = g.input;
  let evals = 0;
  let progress = true;
  while (progress && evals < budget) {
    progress = false;
    for (const c of candidates(best)) {
      if (++evals > budget) break;
      if (size(c) >= size(best)) continue;
      const r = evaluate(t, { ...g, input: c });
      if (r.problems.some((p) => p.split(':')[0] === cls)) {
        best = c;
        progress = true;
        break;
      }
    }
  }
  return best;
}

export interface RunOptions {
  iterations: number;
  seed: number;
  /** Failures kept (and shrunk) per target. */
  keep?: number;
  /** Skip shrinking (tests report the raw input). */
  noShrink?: boolean;
  /** Index of the first input (to rerun one reported input: from = its index, iterations = 1). */
  from?: number;
}

export function runTarget(t: Target, o: RunOptions): Counts {
  const c: Counts = { target: t.name, inputs: 0, accepted: 0, rejected: 0, crashes: 0, violations: 0, slowestMs: 0, ms: 0, failures: [] };
  const t0 = performance.now();
  const seen = new Set<string>();
  const first = o.from ?? 0;
  for (let i = first; i < first + o.iterations; i++) {
    const g = t.generate(new Dice(inputSeed(o.seed, t.name, i)));
    const r = evaluate(t, g);
    c.inputs++;
    c.slowestMs = Math.max(c.slowestMs, r.ms);
    if (r.outcome?.accepted) c.accepted++;
    else if (r.outcome) c.rejected++;
    if (r.problems.length === 0) continue;
    if (r.problems.some((p) => p.startsWith('crash:'))) c.crashes++;
    else c.violations++;
    // One report per distinct problem (its text before any quoted detail).
    const problem = r.problems[0]!;
    const key = problem.replace(/\d+/g, 'N').slice(0, 60);
    if (seen.has(key) || c.failures.length >= (o.keep ?? 10)) continue;
    seen.add(key);
    // A naming problem is about the mutated field: shrinking would only lose the context.
    const small = o.noShrink || problem.includes('does not name') ? g.input : shrink(t, g, problem);
    const message = r.outcome && !r.outcome.accepted ? preview(r.outcome.error, 400) : undefined;
    c.failures.push({ target: t.name, seed: o.seed, index: i, problem, kind: g.kind, input: preview(small), originalSize: size(g.input), message });
  }
  c.ms = performance.now() - t0;
  return c;
}

export function formatFailure(f: Failure): string {
  return `  [${f.target}] ${f.problem}\n    reproduce: npm run fuzz -- --target ${f.target} --seed ${f.seed} --only ${f.index}  (made by: ${f.kind}, ${f.originalSize} chars before shrinking)\n    input: ${f.input}${f.message ? `\n    message: ${f.message}` : ''}`;
}

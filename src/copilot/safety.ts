// The safety rules every proposal passes before anything is applied, whoever made it (an LLM,
// a rule, a schedule, a person editing a proposal). Rules, in order, per key:
//   1. unknown keys are dropped and reported;
//   2. immutable keys are refused;
//   3. values of the wrong kind (non-numeric, NaN, ±Infinity, a bool that is not a bool, a
//      choice not in the list) are rejected;
//   4. numbers are clipped to the space's bounds;
//   5. a number moves at most a set step per decision: ×/÷ `maxLogFactor` (default 3) on a
//      log scale, `maxLinearFraction` (default 1/10) of the range on a linear scale; a
//      parameter whose spec says `steps: 'ratio'` (an entropy coefficient) moves by ×/÷
//      `maxLogFactor` too, with 0 and its floor (min + 1% of the range) one step apart;
//   6. integers are rounded (then kept inside the bounds);
//   7. values equal to the current ones are left out (nothing to apply).

import type { HyperparamSpec, HyperparamValue, HyperparamValues } from '../shared/hyperparams';
import { describeValue } from '../shared/guards';

export interface SafetyOptions {
  maxLogFactor: number;
  maxLinearFraction: number;
}

export const DEFAULT_SAFETY: SafetyOptions = { maxLogFactor: 3, maxLinearFraction: 0.1 };

/** Where a `steps: 'ratio'` parameter's ratios stop: its min plus this fraction of its range (0 ↔ floor is one step). */
export const RATIO_FLOOR_FRACTION = 0.01;

/** The floor of a `steps: 'ratio'` parameter (see RATIO_FLOOR_FRACTION). */
export function ratioFloor(spec: HyperparamSpec): number {
  const min = spec.min ?? 0;
  return min + RATIO_FLOOR_FRACTION * ((spec.max ?? min) - min);
}

/** The range one decision may reach from `cur`, and how to say the limit. */
function stepBounds(spec: HyperparamSpec, cur: number, options: SafetyOptions): { lo: number; hi: number; limit: string } {
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  const f = options.maxLogFactor;
  if (spec.scale === 'log' && cur > 0) return { lo: cur / f, hi: cur * f, limit: `×/÷${f}` };
  if (spec.steps === 'ratio' && Number.isFinite(min) && Number.isFinite(max)) {
    const floor = ratioFloor(spec);
    const down = cur / f;
    return { lo: down < floor ? min : down, hi: Math.max(cur * f, floor), limit: `×/÷${f}, or between ${fmt(min)} and ${fmt(floor)}` };
  }
  const step = Number.isFinite(max - min) ? options.maxLinearFraction * (max - min) : Math.abs(cur) * options.maxLinearFraction;
  return { lo: cur - step, hi: cur + step, limit: `±${fmt(step)}` };
}

export type SafetyRule = 'unknown' | 'immutable' | 'invalid' | 'clipped' | 'step-limited' | 'rounded' | 'unchanged';

export interface SafetyNote {
  key: string;
  rule: SafetyRule;
  /** What was proposed (as given) and what it became (absent when the key was dropped). */
  proposed: unknown;
  result?: HyperparamValue;
  message: string;
}

export interface SafetyResult {
  /** The changes that survive, ready to apply. */
  values: HyperparamValues;
  notes: SafetyNote[];
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Applies the rules to a set of proposed changes, relative to the current values. Never throws. */
export function clampProposal(
  changes: Record<string, unknown>,
  space: readonly HyperparamSpec[],
  current: HyperparamValues,
  options: SafetyOptions = DEFAULT_SAFETY,
): SafetyResult {
  const values: HyperparamValues = {};
  const notes: SafetyNote[] = [];
  for (const key of Object.keys(changes)) {
    const proposed = changes[key];
    const spec = space.find((p) => p.name === key);
    const note = (rule: SafetyRule, message: string, result?: HyperparamValue): void => {
      notes.push(result === undefined ? { key, rule, proposed, message } : { key, rule, proposed, result, message });
    };
    if (!spec) {
      note('unknown', `"${key}" is not a hyperparameter of this algorithm (known: ${space.map((p) => p.name).join(', ')}); dropped`);
      continue;
    }
    if (!spec.mutable) {
      note('immutable', `${key} cannot change during a run; refused`);
      continue;
    }
    const cur = current[key] ?? spec.default;
    if (spec.type === 'bool') {
      if (typeof proposed !== 'boolean') {
        note('invalid', `${key} must be true or false, got ${describeValue(proposed)}; rejected`);
        continue;
      }
      if (proposed === cur) note('unchanged', `${key} is already ${String(cur)}`);
      else values[key] = proposed;
      continue;
    }
    if (spec.type === 'choice') {
      const hit = (spec.choices ?? []).find((c) => c === proposed);
      if (hit === undefined) {
        note('invalid', `${key} must be one of ${(spec.choices ?? []).join(', ')}, got ${describeValue(proposed)}; rejected`);
        continue;
      }
      if (hit === cur) note('unchanged', `${key} is already ${String(cur)}`);
      else values[key] = hit;
      continue;
    }
    if (typeof proposed !== 'number' || !Number.isFinite(proposed)) {
      note('invalid', `${key} must be a finite number, got ${describeValue(proposed) ?? String(proposed)}; rejected`);
      continue;
    }
    const min = spec.min ?? -Infinity;
    const max = spec.max ?? Infinity;
    let v = proposed;
    if (v < min || v > max) {
      const c = Math.min(max, Math.max(min, v));
      note('clipped', `${key} = ${fmt(v)} is outside [${fmt(min)}, ${fmt(max)}]; clipped to ${fmt(c)}`, c);
      v = c;
    }
    if (typeof cur === 'number' && Number.isFinite(cur)) {
      const { lo, hi, limit } = stepBounds(spec, cur, options);
      if (v < lo || v > hi) {
        const c = Math.min(hi, Math.max(lo, v));
        note('step-limited', `${key}: ${fmt(cur)} → ${fmt(v)} is more than one step (${limit}) per decision; limited to ${fmt(c)}`, c);
        v = c;
      }
    }
    if (spec.type === 'int' && !Number.isInteger(v)) {
      let r = Math.round(v);
      if (r > max) r = Math.floor(max);
      if (r < min) r = Math.ceil(min);
      note('rounded', `${key} is an integer; ${fmt(v)} rounded to ${r}`, r);
      v = r;
    }
    if (v === cur) {
      note('unchanged', `${key} stays ${fmt(v)}`, v);
      continue;
    }
    values[key] = v;
  }
  return { values, notes };
}

/** One line per note, for logs and the terminal. */
export function describeNotes(notes: readonly SafetyNote[]): string[] {
  return notes.filter((n) => n.rule !== 'unchanged').map((n) => `${n.rule}: ${n.message}`);
}

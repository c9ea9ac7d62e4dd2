// Hyperparameter spaces: what an algorithm (or a user trainer) declares it can be tuned on.
// Names follow Stable-Baselines3 (`learning_rate`, `ent_coef`, `clip_range`, ...).

import { type Check, fail, isFiniteNumber, isRecord, ok, describeValue, joinProblems, listNames, nameOf, quoteName } from './guards';

export type ParamType = 'float' | 'int' | 'bool' | 'choice';
export type ParamScale = 'log' | 'linear';
export type HyperparamValue = number | boolean | string;
export type HyperparamValues = Record<string, HyperparamValue>;

export interface HyperparamSpec {
  name: string;
  type: ParamType;
  default: HyperparamValue;
  /** Inclusive bounds for float/int. */
  min?: number;
  max?: number;
  /** Allowed values for `choice`. */
  choices?: (string | number)[];
  scale: ParamScale;
  /**
   * How far one co-pilot decision may move it (copilot/safety.ts). Absent: by the scale (×/÷ a
   * factor on a log scale, a tenth of the range on a linear one). `ratio`: by ×/÷ the log factor
   * even on a linear scale that includes 0, with 0 and the floor (min + 1% of the range) one step
   * apart. For magnitudes that are often 0 and otherwise span decades (an entropy coefficient:
   * 0.5 is a poor start, 0.01 a common value), where a tenth of the range is both too small a step
   * down from 0.5 and too big a step up from 0.01 (×11).
   */
  steps?: 'ratio';
  /** Whether the parameter may change mid-run (takes effect at the next update). */
  mutable: boolean;
  /** One line: what it does. */
  description: string;
}

export interface HyperparamSpace {
  algo: string;
  params: HyperparamSpec[];
}

/** Parameters whose distance to 1 is scaled by a step rather than their value (horizon-like). */
export const COMPLEMENT_PARAMS: readonly string[] = ['gamma', 'gae_lambda'];

/**
 * A value moved by a multiplicative step (a controller's step, a PBT perturbation, an oracle
 * candidate): log- and linear-scale values are multiplied; discount-like ones have their
 * distance to 1 multiplied; a linear value at 0 that should grow moves to 1% of its range (so
 * an entropy coefficient can leave zero). Clipped to bounds, rounded for ints.
 */
export function stepValue(spec: HyperparamSpec, value: number, factor: number): number {
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  let v: number;
  if (COMPLEMENT_PARAMS.includes(spec.name) && value <= 1) v = 1 - (1 - value) * factor;
  else if (value === 0 && spec.scale === 'linear' && Number.isFinite(lo) && Number.isFinite(hi)) v = factor > 1 ? 0.01 * (hi - lo) : 0;
  else v = value * factor;
  if (spec.type === 'int') v = Math.round(v);
  return Math.min(hi, Math.max(lo, v));
}

export function findSpec(space: readonly HyperparamSpec[], name: string): HyperparamSpec | undefined {
  return space.find((p) => p.name === name);
}

export function defaultValues(space: readonly HyperparamSpec[]): HyperparamValues {
  const out: HyperparamValues = {};
  for (const p of space) out[p.name] = p.default;
  return out;
}

/**
 * Checks one value against its spec without changing it. Used for user input
 * (CLI `--set`, run files, edits in the UI): out of bounds is an error here,
 * whereas co-pilot proposals are clipped by the safety rules instead.
 */
export function checkValue(spec: HyperparamSpec, raw: unknown): Check<HyperparamValue> {
  const range = spec.min !== undefined && spec.max !== undefined ? ` (allowed: ${spec.min} to ${spec.max})` : '';
  // Names and choices may come from a user trainer's hello: quoted and bounded in messages.
  const name = nameOf(spec.name);
  switch (spec.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === 1 || raw === '1') return ok(true);
      if (raw === 'false' || raw === 0 || raw === '0') return ok(false);
      return fail(`${name} must be true or false, got ${describeValue(raw)}`);
    }
    case 'choice': {
      const choices = spec.choices ?? [];
      // Only a string or a number can equal a choice: String() of a decoded object can throw
      // (`{"toString": 1}`) and would match "[object Object]".
      const hit = typeof raw === 'string' || typeof raw === 'number' ? choices.find((c) => c === raw || String(c) === String(raw)) : undefined;
      if (hit === undefined) return fail(`${name} must be one of ${listNames(choices)}, got ${describeValue(raw)}`);
      return ok(hit);
    }
    case 'float':
    case 'int': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (!isFiniteNumber(n)) return fail(`${name} must be a finite number${range}, got ${describeValue(raw)}`);
      if (spec.type === 'int' && !Number.isInteger(n)) return fail(`${name} must be an integer${range}, got ${describeValue(raw)}`);
      if (spec.min !== undefined && n < spec.min) return fail(`${name} = ${n} is below its minimum ${spec.min}${range}`);
      if (spec.max !== undefined && n > spec.max) return fail(`${name} = ${n} is above its maximum ${spec.max}${range}`);
      return ok(n);
    }
  }
}

/**
 * Checks a set of user-given values against a space: unknown keys and bad values
 * are errors that name the valid choices.
 */
export function checkValues(space: readonly HyperparamSpec[], raw: unknown): Check<HyperparamValues> {
  if (!isRecord(raw)) return fail(`hyperparameters must be an object of name: value, got ${describeValue(raw)}`);
  const out: HyperparamValues = {};
  const errors: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const spec = findSpec(space, k);
    if (!spec) {
      errors.push(`unknown hyperparameter ${quoteName(k)} (valid: ${listNames(space.map((p) => p.name))})`);
      continue;
    }
    const c = checkValue(spec, v);
    if (c.ok) out[k] = c.value;
    else errors.push(c.error);
  }
  return errors.length ? fail(joinProblems(errors)) : ok(out);
}

const PARAM_TYPES: readonly ParamType[] = ['float', 'int', 'bool', 'choice'];

/** Guards a space that arrived from outside (a user trainer's `hello`). */
export function checkSpec(raw: unknown): Check<HyperparamSpec> {
  if (!isRecord(raw)) return fail(`a hyperparameter spec must be an object, got ${describeValue(raw)}`);
  const { name, type, min, max, scale, steps, mutable, description, choices } = raw;
  if (typeof name !== 'string' || name === '') return fail(`a hyperparameter spec needs a non-empty "name", got ${describeValue(name)}`);
  // `__proto__` as a key of a values object would set a prototype instead of a value.
  if (name === '__proto__') return fail('a hyperparameter cannot be named "__proto__"');
  const q = quoteName(name);
  if (typeof type !== 'string' || !PARAM_TYPES.includes(type as ParamType))
    return fail(`hyperparameter ${q}: "type" must be one of ${PARAM_TYPES.join(', ')}, got ${describeValue(type)}`);
  if (min !== undefined && !isFiniteNumber(min)) return fail(`hyperparameter ${q}: "min" must be a finite number, got ${describeValue(min)}`);
  if (max !== undefined && !isFiniteNumber(max)) return fail(`hyperparameter ${q}: "max" must be a finite number, got ${describeValue(max)}`);
  if ((type === 'float' || type === 'int') && (min === undefined || max === undefined))
    return fail(`hyperparameter ${q}: numeric parameters need "min" and "max"`);
  if (isFiniteNumber(min) && isFiniteNumber(max) && min > max) return fail(`hyperparameter ${q}: "min" (${min}) is above "max" (${max})`);
  if (scale !== undefined && scale !== 'log' && scale !== 'linear') return fail(`hyperparameter ${q}: "scale" must be log or linear, got ${describeValue(scale)}`);
  if (scale === 'log' && isFiniteNumber(min) && min <= 0) return fail(`hyperparameter ${q}: a log scale needs "min" > 0`);
  if (steps !== undefined && steps !== 'ratio') return fail(`hyperparameter ${q}: "steps" must be "ratio" when given, got ${describeValue(steps)}`);
  if (steps === 'ratio' && (type !== 'float' || !isFiniteNumber(min) || min < 0))
    return fail(`hyperparameter ${q}: "steps": "ratio" is for float parameters with "min" ≥ 0`);
  if (choices !== undefined && (!Array.isArray(choices) || !choices.every((c) => typeof c === 'string' || isFiniteNumber(c))))
    return fail(`hyperparameter ${q}: "choices" must be an array of strings or numbers`);
  if (type === 'choice' && (!Array.isArray(choices) || choices.length === 0)) return fail(`hyperparameter ${q}: a choice parameter needs a non-empty "choices" array`);
  if (mutable !== undefined && mutable !== null && typeof mutable !== 'boolean') return fail(`hyperparameter ${q}: "mutable" must be true or false, got ${describeValue(mutable)}`);
  if (description !== undefined && description !== null && typeof description !== 'string') return fail(`hyperparameter ${q}: "description" must be a string, got ${describeValue(description)}`);
  const spec: HyperparamSpec = {
    name,
    type: type as ParamType,
    default: raw.default as HyperparamValue,
    scale: (scale as ParamScale | undefined) ?? 'linear',
    mutable: mutable !== false,
    description: typeof description === 'string' ? description : '',
  };
  // Optional fields only when given, so a checked spec equals its JSON round trip.
  if (min !== undefined) spec.min = min as number;
  if (max !== undefined) spec.max = max as number;
  if (choices !== undefined) spec.choices = choices as (string | number)[];
  if (steps === 'ratio') spec.steps = 'ratio';
  const d = checkValue(spec, raw.default);
  if (!d.ok && type === 'choice') return fail(`hyperparameter ${q}: "default" ${describeValue(raw.default)} is not one of its "choices" (${listNames(choices as unknown[])})`);
  if (!d.ok) return fail(`hyperparameter ${q}: bad "default": ${d.error}`);
  spec.default = d.value;
  return ok(spec);
}

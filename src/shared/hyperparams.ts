// Hyperparameter spaces: what an algorithm (or a user trainer) declares it can be tuned on.
// Names follow Stable-Baselines3 (`learning_rate`, `ent_coef`, `clip_range`, ...).

import { type Check, fail, isFiniteNumber, isRecord, ok, describeValue } from './guards';

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
  /** Whether the parameter may change mid-run (takes effect at the next update). */
  mutable: boolean;
  /** One line: what it does. */
  description: string;
}

export interface HyperparamSpace {
  algo: string;
  params: HyperparamSpec[];
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
  switch (spec.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === 1 || raw === '1') return ok(true);
      if (raw === 'false' || raw === 0 || raw === '0') return ok(false);
      return fail(`${spec.name} must be true or false, got ${describeValue(raw)}`);
    }
    case 'choice': {
      const choices = spec.choices ?? [];
      const hit = choices.find((c) => c === raw || String(c) === String(raw));
      if (hit === undefined) return fail(`${spec.name} must be one of ${choices.join(', ')}, got ${describeValue(raw)}`);
      return ok(hit);
    }
    case 'float':
    case 'int': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (!isFiniteNumber(n)) return fail(`${spec.name} must be a finite number${range}, got ${describeValue(raw)}`);
      if (spec.type === 'int' && !Number.isInteger(n)) return fail(`${spec.name} must be an integer${range}, got ${describeValue(raw)}`);
      if (spec.min !== undefined && n < spec.min) return fail(`${spec.name} = ${n} is below its minimum ${spec.min}${range}`);
      if (spec.max !== undefined && n > spec.max) return fail(`${spec.name} = ${n} is above its maximum ${spec.max}${range}`);
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
      errors.push(`unknown hyperparameter "${k}" (valid: ${space.map((p) => p.name).join(', ')})`);
      continue;
    }
    const c = checkValue(spec, v);
    if (c.ok) out[k] = c.value;
    else errors.push(c.error);
  }
  return errors.length ? fail(errors.join('; ')) : ok(out);
}

const PARAM_TYPES: readonly ParamType[] = ['float', 'int', 'bool', 'choice'];

/** Guards a space that arrived from outside (a user trainer's `hello`). */
export function checkSpec(raw: unknown): Check<HyperparamSpec> {
  if (!isRecord(raw)) return fail(`a hyperparameter spec must be an object, got ${describeValue(raw)}`);
  const { name, type, min, max, scale, mutable, description, choices } = raw;
  if (typeof name !== 'string' || name === '') return fail('a hyperparameter spec needs a non-empty "name"');
  if (typeof type !== 'string' || !PARAM_TYPES.includes(type as ParamType))
    return fail(`hyperparameter "${name}": "type" must be one of ${PARAM_TYPES.join(', ')}`);
  if (min !== undefined && !isFiniteNumber(min)) return fail(`hyperparameter "${name}": "min" must be a finite number`);
  if (max !== undefined && !isFiniteNumber(max)) return fail(`hyperparameter "${name}": "max" must be a finite number`);
  if ((type === 'float' || type === 'int') && (min === undefined || max === undefined))
    return fail(`hyperparameter "${name}": numeric parameters need "min" and "max"`);
  if (isFiniteNumber(min) && isFiniteNumber(max) && min > max) return fail(`hyperparameter "${name}": "min" is above "max"`);
  if (scale !== undefined && scale !== 'log' && scale !== 'linear') return fail(`hyperparameter "${name}": "scale" must be log or linear`);
  if (scale === 'log' && isFiniteNumber(min) && min <= 0) return fail(`hyperparameter "${name}": a log scale needs "min" > 0`);
  if (choices !== undefined && (!Array.isArray(choices) || !choices.every((c) => typeof c === 'string' || isFiniteNumber(c))))
    return fail(`hyperparameter "${name}": "choices" must be an array of strings or numbers`);
  const spec: HyperparamSpec = {
    name,
    type: type as ParamType,
    default: raw.default as HyperparamValue,
    min: min as number | undefined,
    max: max as number | undefined,
    choices: choices as (string | number)[] | undefined,
    scale: (scale as ParamScale | undefined) ?? 'linear',
    mutable: mutable !== false,
    description: typeof description === 'string' ? description : '',
  };
  const d = checkValue(spec, raw.default);
  if (!d.ok) return fail(`hyperparameter "${name}": bad default: ${d.error}`);
  spec.default = d.value;
  return ok(spec);
}

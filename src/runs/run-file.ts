// A run file (`hyperprompt train --config run.json`, or a run file picked in the editor):
// the same choices as the command-line flags, as JSON. Strict: unknown keys are errors that
// list the valid ones, so a typo never silently falls back to a default.

import { type Check, describeValue, fail, isFiniteNumber, isRecord, ok, printable, quoteName } from '../shared/guards';
import type { HyperparamValue } from '../shared/hyperparams';

export interface RunFile {
  env?: string;
  algo?: string;
  steps?: number;
  seed?: number;
  /** Hyperparameter overrides (raw: checked against the algorithm's space by the caller). */
  hyperparams?: Record<string, HyperparamValue>;
  backend?: string;
  interval?: number;
  checkpointEvery?: number;
  /** A user trainer command line; absent: the built-in trainer. */
  trainer?: string;
  label?: string;
}

const KEYS = ['env', 'algo', 'steps', 'seed', 'hyperparams', 'backend', 'interval', 'checkpointEvery', 'trainer', 'label'] as const;

/** Longest name (env, algo, backend, label, hyperparameter) and command line a run file may hold. */
const MAX_NAME = 200;
const MAX_COMMAND = 4096;
/** Seeds are 32-bit (src/rl/rng.ts): a larger one would silently alias a smaller one. */
const MAX_SEED = 0xffffffff;

// Control characters (tab aside), bidi overrides and lone surrogates in a name would end up
// raw in run lists, logs and terminal messages.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(k: string, v: unknown, max: number, allowEmpty: boolean): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || (!allowEmpty && v === '')) return `"${k}" must be a ${allowEmpty ? '' : 'non-empty '}string, got ${describeValue(v)}`;
  if (v.length > max) return `"${k}" is ${v.length} characters long (at most ${max})`;
  const bad = UNPRINTABLE.exec(v);
  if (bad) return `"${k}" contains the control or bidi character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${describeValue(v)}`;
  return undefined;
}

function intProblem(k: string, v: unknown, min: number, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > max) return `"${k}" = ${v} is too large (at most ${max})`;
  return `"${k}" must be an integer ≥ ${min}, got ${describeValue(v)}`;
}

function hyperparamsProblem(hp: unknown): string | undefined {
  if (hp === undefined) return undefined;
  if (!isRecord(hp)) return `"hyperparams" must be an object of name: number|boolean|string, got ${describeValue(hp)}`;
  for (const k of Object.keys(hp)) {
    const name = textProblem('hyperparams', k, MAX_NAME, false);
    if (name) return `"hyperparams": the name ${quoteName(k)} is not a usable hyperparameter name (${name.replace(/^"hyperparams" /, '')})`;
    if (k === '__proto__') return '"hyperparams": "__proto__" is not a hyperparameter name';
    const v = hp[k];
    // JSON's 1e999 parses to Infinity: only finite numbers are values.
    if (!(isFiniteNumber(v) || typeof v === 'boolean' || typeof v === 'string'))
      return `"hyperparams": ${quoteName(k)} must be a finite number, boolean or string, got ${describeValue(v)}`;
  }
  return undefined;
}

export function checkRunFile(raw: unknown, source = 'run file'): Check<RunFile> {
  const where = printable(source, 300);
  if (!isRecord(raw)) return fail(`${where} must hold a JSON object, got ${describeValue(raw)}`);
  const unknown = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length)
    return fail(
      `${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown
        .slice(0, 5)
        .map((k) => quoteName(k, 40))
        .join(', ')}${unknown.length > 5 ? `, … (${unknown.length - 5} more)` : ''} (valid: ${KEYS.join(', ')})`,
    );
  const err =
    textProblem('env', raw.env, MAX_NAME, false) ??
    textProblem('algo', raw.algo, MAX_NAME, false) ??
    textProblem('backend', raw.backend, MAX_NAME, false) ??
    textProblem('trainer', raw.trainer, MAX_COMMAND, false) ??
    textProblem('label', raw.label, MAX_NAME, true) ??
    intProblem('steps', raw.steps, 1, Number.MAX_SAFE_INTEGER) ??
    intProblem('seed', raw.seed, 0, MAX_SEED) ??
    intProblem('interval', raw.interval, 1, Number.MAX_SAFE_INTEGER) ??
    intProblem('checkpointEvery', raw.checkpointEvery, 0, Number.MAX_SAFE_INTEGER) ??
    hyperparamsProblem(raw.hyperparams);
  if (err) return fail(`${where}: ${err}`);
  return ok(raw as RunFile);
}

/** Parses a run file's text (JSON), then checks it. Never throws. */
export function parseRunFileText(text: string, source = 'run file'): Check<RunFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`${printable(source, 300)} is not valid JSON: ${printable((e as Error).message, 160)}`);
  }
  return checkRunFile(raw, source);
}

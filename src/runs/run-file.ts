// A run file (`hyperprompt train --config run.json`, or a run file picked in the editor):
// the same choices as the command-line flags, as JSON. Strict: unknown keys are errors that
// list the valid ones, so a typo never silently falls back to a default.

import { type Check, describeValue, fail, isNonNegativeInteger, isRecord, ok } from '../shared/guards';
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

export function checkRunFile(raw: unknown, source = 'run file'): Check<RunFile> {
  if (!isRecord(raw)) return fail(`${source} must hold a JSON object, got ${describeValue(raw)}`);
  const unknown = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) return fail(`${source}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (valid: ${KEYS.join(', ')})`);
  const str = (k: string): string | undefined => (raw[k] === undefined || (typeof raw[k] === 'string' && raw[k] !== '') ? undefined : `"${k}" must be a non-empty string`);
  const int = (k: string, min: number): string | undefined =>
    raw[k] === undefined || (isNonNegativeInteger(raw[k]) && (raw[k] as number) >= min) ? undefined : `"${k}" must be an integer ≥ ${min}, got ${describeValue(raw[k])}`;
  const hp = raw.hyperparams;
  const err =
    str('env') ??
    str('algo') ??
    str('backend') ??
    str('trainer') ??
    (raw.label === undefined || typeof raw.label === 'string' ? undefined : '"label" must be a string') ??
    int('steps', 1) ??
    int('seed', 0) ??
    int('interval', 1) ??
    int('checkpointEvery', 0) ??
    (hp === undefined || (isRecord(hp) && Object.values(hp).every((v) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'))
      ? undefined
      : '"hyperparams" must be an object of name: number|boolean|string');
  if (err) return fail(`${source}: ${err}`);
  return ok(raw as RunFile);
}

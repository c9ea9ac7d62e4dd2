// Bench suites: which tasks (env × algorithm), starting configurations, controllers, seeds
// and step budgets a bench runs, read from a JSON file under bench/suites/ and expanded into
// a flat list of jobs with stable ids (a resumed bench skips the ids it has finished).
// The file format is documented in docs/bench.md; `checkSuite` is its runtime guard and
// `expandSuite` checks it against the engine's envs, algorithms and spaces.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Check, describeValue, fail, isFiniteNumber, isRecord, ok } from '../shared/guards';
import { type HyperparamSpec, type HyperparamValue, type HyperparamValues, checkValue, findSpec } from '../shared/hyperparams';
import type { ReferenceReturns } from './metrics';
import { referenceFor } from './references';

/** Controllers a bench can compare. The last three are baselines the bench runs itself. */
export const CONTROLLERS = ['static', 'schedule', 'heuristic', 'ollama', 'embedded', 'pbt', 'tuned-static', 'oracle-lookahead'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

export interface TaskSpec {
  /** Defaults to `<env>.<algo>`; needed when one env × algo pair appears twice. */
  name?: string;
  env: string;
  algo: string;
  /** Env steps per run (per agent; a population or a lookahead consumes more, and says so). */
  steps: number;
  /** Overrides the reference returns of references.ts. */
  reference?: ReferenceReturns;
  /** Envs the final policy is evaluated on with the deterministic policy (default: `env`). */
  evalEnvs?: string[];
}

/**
 * A starting configuration: a base (the tuned preset or the algorithm's library defaults),
 * then `scale` (multiply) and `set` (replace) applied on top. A start that names a
 * hyperparameter the algorithm does not have does not apply to that algorithm.
 */
export interface StartSpec {
  name: string;
  from: 'tuned' | 'defaults';
  scale?: Record<string, number>;
  set?: HyperparamValues;
  description?: string;
}

export interface PbtOptions {
  /** Members trained side by side. */
  population: number;
  /** Env steps between exploit/explore rounds (default: the suite's interval). */
  readyInterval?: number;
  /** Fraction of members replaced each round (bottom) and copied from (top). */
  quantile: number;
  /** Multiplicative perturbations drawn from for explore. */
  perturb: [number, number];
  /** Hyperparameters explored (default: every mutable numeric one in `PERTURBED_BY_DEFAULT`). */
  params?: string[];
}

export interface TunedStaticOptions {
  /** Search trials (each a full training run of `trialSteps`); their steps count in the budget. */
  trials: number;
  /** Env steps per trial (default: the task's steps). */
  trialSteps?: number;
  /** Random trials before TPE takes over. */
  startup: number;
  params?: string[];
}

export interface OracleOptions {
  /** Candidate updates tried at each interval (the current values are always one of them). */
  candidates: number;
  /** Env steps each candidate trains before the best is kept (default: the interval). */
  horizon?: number;
  params?: string[];
}

export interface ControllerOptions {
  pbt: PbtOptions;
  'tuned-static': TunedStaticOptions;
  'oracle-lookahead': OracleOptions;
  /** Passed through to the co-pilot's controllers (schedule, heuristic, ollama, embedded). */
  other: Record<string, Record<string, unknown>>;
}

export interface Suite {
  name: string;
  description: string;
  tasks: TaskSpec[];
  starts: StartSpec[];
  controllers: ControllerName[];
  seeds: number[];
  /** Env steps between controller decisions. */
  interval: number;
  /** Deterministic-policy evaluation episodes at the end of each run (per eval env). */
  evalEpisodes: number;
  options: ControllerOptions;
}

/** The hyperparameters searched / perturbed when a suite does not list them. */
export const PERTURBED_BY_DEFAULT = ['learning_rate', 'ent_coef', 'clip_range', 'gamma', 'gae_lambda', 'vf_coef', 'exploration_final_eps', 'tau'];

/** Starting configurations every suite may name without defining them. */
export const BUILTIN_STARTS: Readonly<Record<string, StartSpec>> = {
  tuned: { name: 'tuned', from: 'tuned', description: 'the tuned preset (rl-baselines3-zoo where it has one)' },
  defaults: { name: 'defaults', from: 'defaults', description: "the algorithm's library defaults" },
  'lr-x10': { name: 'lr-x10', from: 'tuned', scale: { learning_rate: 10 }, description: 'tuned, learning_rate ×10' },
  'lr-div10': { name: 'lr-div10', from: 'tuned', scale: { learning_rate: 0.1 }, description: 'tuned, learning_rate ÷10' },
  'ent-high': { name: 'ent-high', from: 'tuned', set: { ent_coef: 0.5 }, description: 'tuned, ent_coef 0.5 (far too high)' },
  'clip-small': { name: 'clip-small', from: 'tuned', set: { clip_range: 0.02 }, description: 'tuned, clip_range 0.02 (far too small)' },
};

const DEFAULT_PBT: PbtOptions = { population: 4, quantile: 0.25, perturb: [0.8, 1.25] };
const DEFAULT_TUNED: TunedStaticOptions = { trials: 16, startup: 5 };
const DEFAULT_ORACLE: OracleOptions = { candidates: 4 };

// ---------------------------------------------------------------------------------------
// Runtime guard for the file

class Problems {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
}

function posInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
}

function checkKeys(raw: Record<string, unknown>, allowed: readonly string[], path: string, p: Problems): void {
  for (const k of Object.keys(raw)) if (!allowed.includes(k) && !k.startsWith('$')) p.add(path, `unknown field "${k}" (valid: ${allowed.join(', ')})`);
}

function checkReference(v: unknown, path: string, p: Problems): ReferenceReturns | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !isFiniteNumber(v.random) || !isFiniteNumber(v.threshold)) {
    p.add(path, `must be {"random": number, "threshold": number}, got ${describeValue(v)}`);
    return undefined;
  }
  if (v.threshold <= v.random) p.add(path, `"threshold" (${v.threshold}) must be above "random" (${v.random})`);
  return { random: v.random, threshold: v.threshold };
}

function checkTask(v: unknown, path: string, defaultSteps: number | undefined, p: Problems): TaskSpec | undefined {
  if (!isRecord(v)) {
    p.add(path, `a task must be an object like {"env": "CartPole-v1", "algo": "ppo"}, got ${describeValue(v)}`);
    return undefined;
  }
  checkKeys(v, ['name', 'env', 'algo', 'steps', 'reference', 'evalEnvs'], path, p);
  const { name, env, algo, evalEnvs } = v;
  if (typeof env !== 'string' || env === '') p.add(`${path}.env`, 'must be an environment id such as "CartPole-v1"');
  if (typeof algo !== 'string' || algo === '') p.add(`${path}.algo`, 'must be an algorithm name such as "ppo"');
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name))) p.add(`${path}.name`, 'must use letters, digits, ".", "_" or "-" only');
  const steps = v.steps ?? defaultSteps;
  if (!posInt(steps)) p.add(`${path}.steps`, `must be a positive integer number of env steps (set it here or as the suite's "steps"), got ${describeValue(steps)}`);
  if (evalEnvs !== undefined && !stringList(evalEnvs)) p.add(`${path}.evalEnvs`, 'must be an array of environment ids');
  const reference = checkReference(v.reference, `${path}.reference`, p);
  if (typeof env !== 'string' || typeof algo !== 'string' || !posInt(steps)) return undefined;
  return {
    ...(typeof name === 'string' ? { name } : {}),
    env,
    algo,
    steps,
    ...(reference ? { reference } : {}),
    ...(stringList(evalEnvs) ? { evalEnvs } : {}),
  };
}

function checkStart(v: unknown, path: string, p: Problems): StartSpec | undefined {
  if (typeof v === 'string') {
    const b = BUILTIN_STARTS[v];
    if (!b) p.add(path, `unknown start "${v}" (built in: ${Object.keys(BUILTIN_STARTS).join(', ')}; or define one as {"name", "from", "scale", "set"})`);
    return b;
  }
  if (!isRecord(v)) {
    p.add(path, `a start is a built-in name or {"name", "from": "tuned"|"defaults", "scale"?, "set"?}, got ${describeValue(v)}`);
    return undefined;
  }
  checkKeys(v, ['name', 'from', 'scale', 'set', 'description'], path, p);
  const { name, from, scale, set, description } = v;
  let good = true;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    p.add(`${path}.name`, 'must be a name of letters, digits, ".", "_" or "-"');
    good = false;
  }
  if (from !== 'tuned' && from !== 'defaults') {
    p.add(`${path}.from`, `must be "tuned" or "defaults", got ${describeValue(from)}`);
    good = false;
  }
  if (scale !== undefined && !(isRecord(scale) && Object.values(scale).every((x) => isFiniteNumber(x) && x > 0))) {
    p.add(`${path}.scale`, 'must map hyperparameter names to positive factors, e.g. {"learning_rate": 10}');
    good = false;
  }
  if (set !== undefined && !(isRecord(set) && Object.values(set).every((x) => isFiniteNumber(x) || typeof x === 'boolean' || typeof x === 'string'))) {
    p.add(`${path}.set`, 'must map hyperparameter names to values, e.g. {"ent_coef": 0.5}');
    good = false;
  }
  if (!good) return undefined;
  return {
    name: name as string,
    from: from as 'tuned' | 'defaults',
    ...(scale ? { scale: scale as Record<string, number> } : {}),
    ...(set ? { set: set as HyperparamValues } : {}),
    ...(typeof description === 'string' ? { description } : {}),
  };
}

function checkParamsList(v: unknown, path: string, p: Problems): string[] | undefined {
  if (v === undefined) return undefined;
  if (!stringList(v) || v.length === 0) {
    p.add(path, 'must be a non-empty array of hyperparameter names');
    return undefined;
  }
  return v;
}

function checkOptions(v: unknown, p: Problems): ControllerOptions {
  const out: ControllerOptions = { pbt: { ...DEFAULT_PBT }, 'tuned-static': { ...DEFAULT_TUNED }, 'oracle-lookahead': { ...DEFAULT_ORACLE }, other: {} };
  if (v === undefined) return out;
  if (!isRecord(v)) {
    p.add('options', `must be an object keyed by controller name, got ${describeValue(v)}`);
    return out;
  }
  for (const [k, o] of Object.entries(v)) {
    const path = `options.${k}`;
    if (!(CONTROLLERS as readonly string[]).includes(k)) {
      p.add('options', `unknown controller "${k}" (valid: ${CONTROLLERS.join(', ')})`);
      continue;
    }
    if (!isRecord(o)) {
      p.add(path, `must be an object, got ${describeValue(o)}`);
      continue;
    }
    if (k === 'pbt') {
      checkKeys(o, ['population', 'readyInterval', 'quantile', 'perturb', 'params'], path, p);
      const population = o.population ?? DEFAULT_PBT.population;
      const quantile = o.quantile ?? DEFAULT_PBT.quantile;
      const perturb = o.perturb ?? DEFAULT_PBT.perturb;
      if (!posInt(population) || population < 2) p.add(`${path}.population`, `must be an integer ≥ 2, got ${describeValue(population)}`);
      if (!isFiniteNumber(quantile) || quantile <= 0 || quantile > 0.5) p.add(`${path}.quantile`, `must be in (0, 0.5], got ${describeValue(quantile)}`);
      if (!(Array.isArray(perturb) && perturb.length === 2 && perturb.every((x) => isFiniteNumber(x) && x > 0)))
        p.add(`${path}.perturb`, `must be two positive factors such as [0.8, 1.25], got ${describeValue(perturb)}`);
      if (o.readyInterval !== undefined && !posInt(o.readyInterval)) p.add(`${path}.readyInterval`, 'must be a positive integer number of env steps');
      const params = checkParamsList(o.params, `${path}.params`, p);
      out.pbt = {
        population: population as number,
        quantile: quantile as number,
        perturb: perturb as [number, number],
        ...(posInt(o.readyInterval) ? { readyInterval: o.readyInterval } : {}),
        ...(params ? { params } : {}),
      };
    } else if (k === 'tuned-static') {
      checkKeys(o, ['trials', 'trialSteps', 'startup', 'params'], path, p);
      const trials = o.trials ?? DEFAULT_TUNED.trials;
      const startup = o.startup ?? Math.min(DEFAULT_TUNED.startup, posInt(trials) ? trials : DEFAULT_TUNED.startup);
      if (!posInt(trials)) p.add(`${path}.trials`, `must be a positive integer, got ${describeValue(trials)}`);
      if (!posInt(startup)) p.add(`${path}.startup`, `must be a positive integer, got ${describeValue(startup)}`);
      if (o.trialSteps !== undefined && !posInt(o.trialSteps)) p.add(`${path}.trialSteps`, 'must be a positive integer number of env steps');
      const params = checkParamsList(o.params, `${path}.params`, p);
      out['tuned-static'] = {
        trials: trials as number,
        startup: startup as number,
        ...(posInt(o.trialSteps) ? { trialSteps: o.trialSteps } : {}),
        ...(params ? { params } : {}),
      };
    } else if (k === 'oracle-lookahead') {
      checkKeys(o, ['candidates', 'horizon', 'params'], path, p);
      const candidates = o.candidates ?? DEFAULT_ORACLE.candidates;
      if (!posInt(candidates) || candidates < 2) p.add(`${path}.candidates`, `must be an integer ≥ 2, got ${describeValue(candidates)}`);
      if (o.horizon !== undefined && !posInt(o.horizon)) p.add(`${path}.horizon`, 'must be a positive integer number of env steps');
      const params = checkParamsList(o.params, `${path}.params`, p);
      out['oracle-lookahead'] = {
        candidates: candidates as number,
        ...(posInt(o.horizon) ? { horizon: o.horizon } : {}),
        ...(params ? { params } : {}),
      };
    } else {
      if (k === 'embedded') {
        checkKeys(o, ['weights', 'anyEnv'], path, p);
        if (o.anyEnv !== undefined && typeof o.anyEnv !== 'boolean') p.add(`${path}.anyEnv`, `must be true or false, got ${describeValue(o.anyEnv)}`);
        if (o.weights !== undefined && (typeof o.weights !== 'string' || o.weights.trim() === ''))
          p.add(`${path}.weights`, `must be the path of a weights file from "hyperprompt meta train" (relative to the folder the bench runs in), got ${describeValue(o.weights)}`);
      }
      out.other[k] = o;
    }
  }
  return out;
}

/** Checks a decoded suite file. All problems are reported at once, each with its path. */
export function checkSuite(raw: unknown): Check<Suite> {
  const p = new Problems();
  if (!isRecord(raw)) return fail(`a suite must be a JSON object, got ${describeValue(raw)}`);
  checkKeys(raw, ['name', 'description', 'steps', 'interval', 'seeds', 'tasks', 'starts', 'controllers', 'evalEpisodes', 'options'], 'suite', p);
  const { name, description, steps, interval, seeds, tasks, starts, controllers, evalEpisodes } = raw;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) p.add('name', 'must be a name of letters, digits, ".", "_" or "-"');
  if (steps !== undefined && !posInt(steps)) p.add('steps', `must be a positive integer, got ${describeValue(steps)}`);
  if (!posInt(interval)) p.add('interval', `must be a positive integer number of env steps between controller decisions, got ${describeValue(interval)}`);
  let seedList: number[] = [];
  if (posInt(seeds)) seedList = Array.from({ length: seeds }, (_, i) => i);
  else if (Array.isArray(seeds) && seeds.length > 0 && seeds.every((s) => Number.isInteger(s) && (s as number) >= 0)) seedList = seeds as number[];
  else p.add('seeds', `must be a count (e.g. 5, meaning seeds 0..4) or a non-empty list of non-negative integers, got ${describeValue(seeds)}`);
  if (new Set(seedList).size !== seedList.length) p.add('seeds', 'lists a seed twice');
  const ee = evalEpisodes ?? 0;
  if (!(Number.isInteger(ee) && (ee as number) >= 0)) p.add('evalEpisodes', `must be a non-negative integer, got ${describeValue(ee)}`);

  const taskList: TaskSpec[] = [];
  if (!Array.isArray(tasks) || tasks.length === 0) p.add('tasks', 'must be a non-empty array of {"env", "algo", "steps"?}');
  else
    tasks.forEach((t, i) => {
      const c = checkTask(t, `tasks[${i}]`, posInt(steps) ? steps : undefined, p);
      if (c) taskList.push(c);
    });
  const ids = taskList.map(taskId);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) p.add(`tasks[${i}]`, `task "${id}" appears twice: give one of them a distinct "name"`);
  });

  const startList: StartSpec[] = [];
  if (!Array.isArray(starts) || starts.length === 0) p.add('starts', `must be a non-empty array of start names (${Object.keys(BUILTIN_STARTS).join(', ')}) or definitions`);
  else
    starts.forEach((s, i) => {
      const c = checkStart(s, `starts[${i}]`, p);
      if (c) startList.push(c);
    });
  const startNames = startList.map((s) => s.name);
  startNames.forEach((n, i) => {
    if (startNames.indexOf(n) !== i) p.add(`starts[${i}]`, `start "${n}" appears twice`);
  });

  const controllerList: ControllerName[] = [];
  if (!stringList(controllers) || controllers.length === 0) p.add('controllers', `must be a non-empty array of controller names (${CONTROLLERS.join(', ')})`);
  else
    controllers.forEach((c, i) => {
      if (!(CONTROLLERS as readonly string[]).includes(c)) p.add(`controllers[${i}]`, `unknown controller "${c}" (valid: ${CONTROLLERS.join(', ')})`);
      else if (controllerList.includes(c as ControllerName)) p.add(`controllers[${i}]`, `controller "${c}" appears twice`);
      else controllerList.push(c as ControllerName);
    });
  const options = checkOptions(raw.options, p);

  if (p.list.length > 0) return fail(`suite${typeof name === 'string' ? ` "${name}"` : ''} has ${p.list.length} problem(s):\n  ${p.list.join('\n  ')}`);
  return ok({
    name: name as string,
    description: typeof description === 'string' ? description : '',
    tasks: taskList,
    starts: startList,
    controllers: controllerList,
    seeds: seedList,
    interval: interval as number,
    evalEpisodes: ee as number,
    options,
  });
}

export function taskId(t: TaskSpec): string {
  return t.name ?? `${t.env}.${t.algo}`;
}

// ---------------------------------------------------------------------------------------
// Expansion into jobs

/** What expansion needs from the engine: its envs, algorithms, spaces and tuned presets. */
export interface TaskCatalog {
  envs: readonly string[];
  algos: readonly string[];
  space(algo: string): readonly HyperparamSpec[];
  /** The tuned preset (complete values) for env × algo, or why the pair cannot train. */
  preset(env: string, algo: string): Check<HyperparamValues>;
}

export interface ExpandOverrides {
  /** Replaces the suite's controllers (`--controllers a,b`). */
  controllers?: readonly string[];
  /** Replaces the suite's seeds with 0..n-1 (`--seeds N`). */
  seeds?: number;
  /** Keeps only these tasks, by task id (`CartPole-v1.ppo`) (`--tasks a,b`). */
  tasks?: readonly string[];
  /** Keeps only these starts, by name (`--starts tuned,lr-x10`). */
  starts?: readonly string[];
  /**
   * Multiplies every step count of the suite (`--scale F`): each task's budget, the decision
   * interval, and the controllers' explicit step options (PBT's ready interval, the oracle's
   * horizon, tuned-static's trial steps), so a run keeps the same number of decisions at a
   * fraction of the cost. Counts are rounded and at least 1.
   */
  scale?: number;
}

/** The suite with every step count multiplied by `f` (see `ExpandOverrides.scale`). */
export function scaleSuite(suite: Suite, f: number): Suite {
  const s = (n: number): number => Math.max(1, Math.round(n * f));
  const o = suite.options;
  return {
    ...suite,
    interval: s(suite.interval),
    tasks: suite.tasks.map((t) => ({ ...t, steps: s(t.steps) })),
    options: {
      ...o,
      pbt: { ...o.pbt, ...(o.pbt.readyInterval !== undefined ? { readyInterval: s(o.pbt.readyInterval) } : {}) },
      'oracle-lookahead': { ...o['oracle-lookahead'], ...(o['oracle-lookahead'].horizon !== undefined ? { horizon: s(o['oracle-lookahead'].horizon) } : {}) },
      'tuned-static': { ...o['tuned-static'], ...(o['tuned-static'].trialSteps !== undefined ? { trialSteps: s(o['tuned-static'].trialSteps) } : {}) },
    },
  };
}

export type JobKind = 'run' | 'search';

export interface BenchJob {
  /** Stable across expansions of the same suite: `<task>.<start>.<controller>.s<seed>`, or `<task>.search`. */
  id: string;
  kind: JobKind;
  task: TaskSpec & { id: string; reference: ReferenceReturns };
  start: string;
  /** Starting hyperparameters, complete. For tuned-static runs these are replaced by the search's best. */
  values: HyperparamValues;
  controller: ControllerName;
  options: Record<string, unknown>;
  seed: number;
  interval: number;
  evalEpisodes: number;
  /** Jobs whose results this one needs first (tuned-static runs need their task's search). */
  dependsOn: string[];
  /** What expansion changed on the way, e.g. a value clipped to its bound. */
  notes: string[];
  /** Hash of everything that determines the job's result: a resumed bench re-runs a job whose hash changed. */
  hash: string;
}

export interface Expansion {
  suite: string;
  jobs: BenchJob[];
  /** Combinations that do not apply (a start naming a hyperparameter the algorithm lacks). */
  skipped: string[];
}

export class SuiteError extends Error {
  override readonly name = 'SuiteError';
}

/** The start's values for one algorithm, or why it does not apply. */
export function startValues(start: StartSpec, space: readonly HyperparamSpec[], tuned: HyperparamValues, defaults: HyperparamValues): Check<{ values: HyperparamValues; notes: string[] }> {
  const values: HyperparamValues = { ...(start.from === 'tuned' ? tuned : defaults) };
  const notes: string[] = [];
  const apply = (name: string, v: HyperparamValue): string | undefined => {
    const spec = findSpec(space, name);
    if (!spec) return `start "${start.name}" sets ${name}, which this algorithm does not have`;
    let x = v;
    if (typeof x === 'number' && (spec.type === 'float' || spec.type === 'int')) {
      if (spec.type === 'int') x = Math.round(x);
      if (spec.min !== undefined && x < spec.min) {
        notes.push(`${name} ${x} clipped to its minimum ${spec.min}`);
        x = spec.min;
      }
      if (spec.max !== undefined && x > spec.max) {
        notes.push(`${name} ${x} clipped to its maximum ${spec.max}`);
        x = spec.max;
      }
    }
    const c = checkValue(spec, x);
    if (!c.ok) return `start "${start.name}": ${c.error}`;
    values[name] = c.value;
    return undefined;
  };
  for (const [k, f] of Object.entries(start.scale ?? {})) {
    const cur = values[k];
    if (!findSpec(space, k)) return fail(`start "${start.name}" scales ${k}, which this algorithm does not have`);
    if (typeof cur !== 'number') return fail(`start "${start.name}" scales ${k}, whose value ${describeValue(cur)} is not a number`);
    const err = apply(k, cur * f);
    if (err) return fail(err);
  }
  for (const [k, v] of Object.entries(start.set ?? {})) {
    const err = apply(k, v);
    if (err) return fail(err);
  }
  return ok({ values, notes });
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function hashOf(v: unknown): string {
  return createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);
}

/** Seeds of search trials: far from run seeds, so tuned-static is evaluated on fresh seeds. */
export const SEARCH_SEED_BASE = 100_000;

/** The items named in `wanted` (`--tasks`, `--starts`); a name the suite lacks is a problem. */
function keepOnly<T>(items: readonly T[], wanted: readonly string[], nameOf: (t: T) => string, what: string, problems: string[]): T[] {
  const names = items.map(nameOf);
  const bad = wanted.filter((n) => !names.includes(n));
  if (bad.length) problems.push(`unknown ${what}(s) ${bad.join(', ')} (this suite's ${what}s: ${names.join(', ')})`);
  return items.filter((t) => wanted.includes(nameOf(t)));
}

/**
 * Expands a checked suite into jobs: tasks × starts × controllers × seeds, minus the
 * combinations that do not apply. `tuned-static` ignores the starts (the search replaces
 * them): one search job per task, and one run per task × seed that depends on it.
 * Throws a SuiteError listing every problem (unknown env, algorithm, or a pair that cannot train).
 */
export function expandSuite(suite: Suite, catalog: TaskCatalog, overrides: ExpandOverrides = {}): Expansion {
  const problems: string[] = [];
  if (overrides.scale !== undefined) {
    if (!(Number.isFinite(overrides.scale) && overrides.scale > 0)) problems.push(`--scale must be a positive number, got ${overrides.scale}`);
    else if (overrides.scale !== 1) suite = scaleSuite(suite, overrides.scale);
  }
  if (overrides.tasks) suite = { ...suite, tasks: keepOnly(suite.tasks, overrides.tasks, taskId, 'task', problems) };
  if (overrides.starts) suite = { ...suite, starts: keepOnly(suite.starts, overrides.starts, (st) => st.name, 'start', problems) };
  let controllers = suite.controllers;
  if (overrides.controllers) {
    const bad = overrides.controllers.filter((c) => !(CONTROLLERS as readonly string[]).includes(c));
    if (bad.length) problems.push(`unknown controller(s) ${bad.join(', ')} (valid: ${CONTROLLERS.join(', ')})`);
    controllers = overrides.controllers.filter((c): c is ControllerName => (CONTROLLERS as readonly string[]).includes(c));
    if (controllers.length === 0) problems.push('no controllers left to run');
  }
  let seeds = suite.seeds;
  if (overrides.seeds !== undefined) {
    if (!posInt(overrides.seeds)) problems.push(`--seeds must be a positive integer, got ${overrides.seeds}`);
    else seeds = Array.from({ length: overrides.seeds }, (_, i) => i);
  }
  const jobs: BenchJob[] = [];
  const skipped: string[] = [];
  suite.tasks.forEach((t, i) => {
    const where = `tasks[${i}] (${taskId(t)})`;
    if (!catalog.envs.includes(t.env)) problems.push(`${where}: unknown env "${t.env}" (valid: ${catalog.envs.join(', ')})`);
    if (!catalog.algos.includes(t.algo)) problems.push(`${where}: unknown algorithm "${t.algo}" (valid: ${catalog.algos.join(', ')})`);
    for (const e of t.evalEnvs ?? []) if (!catalog.envs.includes(e)) problems.push(`${where}: unknown eval env "${e}" (valid: ${catalog.envs.join(', ')})`);
    const reference = t.reference ?? referenceFor(t.env);
    if (!reference) problems.push(`${where}: no reference returns for ${t.env}: add "reference": {"random": R, "threshold": T} to the task`);
    if (!catalog.envs.includes(t.env) || !catalog.algos.includes(t.algo) || !reference) return;
    const preset = catalog.preset(t.env, t.algo);
    if (!preset.ok) {
      problems.push(`${where}: ${preset.error}`);
      return;
    }
    const space = catalog.space(t.algo);
    const defaults: HyperparamValues = {};
    for (const s of space) defaults[s.name] = s.default;
    const id = taskId(t);
    const task = { ...t, id, reference };
    const common = { task, interval: suite.interval, evalEpisodes: suite.evalEpisodes, notes: [] as string[] };
    const push = (j: Omit<BenchJob, 'hash'>): void => {
      const { notes: _notes, id: _id, ...determining } = j;
      jobs.push({ ...j, hash: hashOf(determining) });
    };

    const searchId = `${id}.search`;
    if (controllers.includes('tuned-static')) {
      const o = suite.options['tuned-static'];
      push({ ...common, id: searchId, kind: 'search', start: 'tuned', values: preset.value, controller: 'tuned-static', options: { ...o, trialSteps: o.trialSteps ?? t.steps }, seed: SEARCH_SEED_BASE, dependsOn: [] });
      for (const seed of seeds)
        push({ ...common, id: `${id}.search.tuned-static.s${seed}`, kind: 'run', start: 'search', values: preset.value, controller: 'tuned-static', options: {}, seed, dependsOn: [searchId] });
    }
    for (const s of suite.starts) {
      const sv = startValues(s, space, preset.value, defaults);
      if (!sv.ok) {
        skipped.push(`${id} × ${s.name}: ${sv.error}`);
        continue;
      }
      for (const c of controllers) {
        if (c === 'tuned-static') continue;
        const options = c === 'pbt' ? suite.options.pbt : c === 'oracle-lookahead' ? suite.options['oracle-lookahead'] : (suite.options.other[c] ?? {});
        for (const seed of seeds)
          push({ ...common, notes: sv.value.notes, id: `${id}.${s.name}.${c}.s${seed}`, kind: 'run', start: s.name, values: sv.value.values, controller: c, options: { ...options }, seed, dependsOn: [] });
      }
    }
  });
  if (problems.length) throw new SuiteError(`suite "${suite.name}" cannot run:\n  ${problems.join('\n  ')}`);
  if (jobs.length === 0) throw new SuiteError(`suite "${suite.name}" expands to no jobs (skipped: ${skipped.join('; ') || 'none'})`);
  return { suite: suite.name, jobs, skipped };
}

// ---------------------------------------------------------------------------------------
// Files

/** The shipped suites folder: bench/suites/ at the package root, found from this file (src/bench or dist). */
export function shippedSuitesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'bench', 'suites');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(__dirname, '..', '..', 'bench', 'suites');
}

export function shippedSuiteNames(): string[] {
  const dir = shippedSuitesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * Reads a suite by shipped name (`smoke`) or by path to a JSON file (`./my-suite.json`).
 * Throws a SuiteError that says what was wrong and what to do.
 */
export function loadSuite(nameOrPath: string, cwd = process.cwd()): Suite {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes('\\');
  const file = isPath ? resolve(cwd, nameOrPath) : join(shippedSuitesDir(), `${nameOrPath}.json`);
  if (!isPath && !/^[A-Za-z0-9._-]+$/.test(nameOrPath)) throw new SuiteError(`"${nameOrPath}" is not a suite name (shipped: ${shippedSuiteNames().join(', ')})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT')
      throw new SuiteError(isPath ? `suite file ${file} does not exist` : `no suite named "${nameOrPath}" (shipped: ${shippedSuiteNames().join(', ')}; or pass a path to a .json file)`);
    throw new SuiteError(`cannot read suite file ${file}: ${err.message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SuiteError(`suite file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const c = checkSuite(raw);
  if (!c.ok) throw new SuiteError(`${file}: ${c.error}`);
  return c.value;
}

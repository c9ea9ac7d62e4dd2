// Trainer protocol, version 1: JSON lines over stdio between the host (RunManager) and a
// trainer process. Reference with examples: docs/protocol.md. Everything read from a
// trainer is `unknown` until `parseTrainerMessage` has checked it.

import { type Check, cutEnd, describeValue, fail, hasUnprintable, isFiniteNumber, isNonNegativeInteger, isRecord, ok, printable, quoteName } from './guards';
import { type HyperparamSpec, type HyperparamValues, checkSpec } from './hyperparams';

export const PROTOCOL_VERSION = 1;
/** Lines longer than this are reported and skipped without being parsed. */
export const MAX_LINE_BYTES = 1 << 20;

export type Scalars = Record<string, number>;

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  trainer: string;
  algo: string;
  env: string;
  space: HyperparamSpec[];
  values: HyperparamValues;
  /** Step the trainer starts from (non-zero when resuming from a checkpoint). */
  step: number;
  totalSteps?: number;
  backend?: string;
}

export interface MetricsMessage {
  type: 'metrics';
  step: number;
  /** CleanRL-style namespaced scalars, e.g. `charts/episodic_return`, `losses/value_loss`. */
  scalars: Scalars;
}

/** End of a K-step interval: the raw material the co-pilot's summary is built from. */
export interface IntervalMessage {
  type: 'interval';
  index: number;
  step: number;
  /** Returns and lengths of the episodes that finished during the interval. */
  episodeReturns: number[];
  episodeLengths: number[];
  /** Means over the interval's updates: losses, entropy, KL, clip fraction, ... */
  diagnostics: Scalars;
  sps: number;
  values: HyperparamValues;
}

export interface AppliedMessage {
  type: 'applied';
  version: number;
  step: number;
  values: HyperparamValues;
}

export interface CheckpointMessage {
  type: 'checkpoint';
  path: string;
  step: number;
}

export interface StateMessage {
  type: 'state';
  state: 'running' | 'paused';
  step: number;
}

export interface DoneMessage {
  type: 'done';
  step: number;
  reason: 'completed' | 'stopped';
}

export interface ErrorMessage {
  type: 'error';
  message: string;
  /** A fatal error ends the run; a non-fatal one (e.g. a rejected `set`) is only reported. */
  fatal: boolean;
}

export type TrainerMessage =
  | HelloMessage
  | MetricsMessage
  | IntervalMessage
  | AppliedMessage
  | CheckpointMessage
  | StateMessage
  | DoneMessage
  | ErrorMessage;

export interface SetCommand {
  type: 'set';
  version: number;
  values: HyperparamValues;
}
export interface PauseCommand {
  type: 'pause';
}
export interface ResumeCommand {
  type: 'resume';
}
export interface CheckpointCommand {
  type: 'checkpoint';
}
export interface StopCommand {
  type: 'stop';
  /** Write a checkpoint before `done` (default true). */
  checkpoint?: boolean;
}
export type HostCommand = SetCommand | PauseCommand | ResumeCommand | CheckpointCommand | StopCommand;

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every(isFiniteNumber);
}

/** Scalars may carry NaN/Infinity as null in JSON; those entries are dropped rather than fatal. */
function cleanScalars(v: unknown): Scalars | undefined {
  if (!isRecord(v)) return undefined;
  const out: Scalars = {};
  for (const [k, x] of Object.entries(v)) if (isFiniteNumber(x)) out[k] = x;
  return out;
}

function isValues(v: unknown): v is HyperparamValues {
  return valuesProblem(v) === undefined;
}

/** What is wrong with a values object, naming the entry (undefined: nothing). */
function valuesProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return `must be an object of name: number|boolean|string, got ${describeValue(v)}`;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (!(isFiniteNumber(x) || typeof x === 'boolean' || typeof x === 'string')) return `${quoteName(k)} must be a finite number, boolean or string, got ${describeValue(x)}`;
  }
  return undefined;
}

/** A JSON.parse error for a message: V8 quotes a snippet of the input raw. */
function jsonError(e: unknown): string {
  return printable(e instanceof Error ? e.message : String(e), 160);
}

/** Longest algorithm, environment or trainer name a trainer may announce: they label runs, prompts and files. */
export const MAX_NAME_CHARS = 200;
/** A trainer's error text is kept up to this many characters (a traceback fits; a 1 MB dump does not). */
export const MAX_ERROR_CHARS = 8000;

function isShortName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_CHARS && !hasUnprintable(v);
}

/** Text cut to `max` characters (not inside a surrogate pair), saying how much was left out. */
function boundedText(s: string, max: number): string {
  const end = cutEnd(s, max);
  return end === s.length ? s : `${s.slice(0, end)}… (${s.length - end} more characters not kept)`;
}

/** Checks one decoded JSON value from a trainer. */
export function checkTrainerMessage(v: unknown): Check<TrainerMessage> {
  if (!isRecord(v)) return fail(`expected a JSON object, got ${describeValue(v)}`);
  const t = v.type;
  const need = (cond: boolean, what: string): string | undefined => (cond ? undefined : `"${String(t)}" message: ${what}`);
  switch (t) {
    case 'hello': {
      const err =
        need(isNonNegativeInteger(v.protocol), '"protocol" must be an integer') ??
        need(isShortName(v.algo), `"algo" must be a string of 1 to ${MAX_NAME_CHARS} characters without control characters, got ${describeValue(v.algo)}`) ??
        need(isShortName(v.env), `"env" must be a string of 1 to ${MAX_NAME_CHARS} characters without control characters, got ${describeValue(v.env)}`) ??
        need(Array.isArray(v.space), '"space" must be an array of hyperparameter specs') ??
        need(isValues(v.values), `"values": ${valuesProblem(v.values)}`) ??
        need(v.step === undefined || isNonNegativeInteger(v.step), '"step" must be a non-negative integer');
      if (err) return fail(err);
      if (v.protocol !== PROTOCOL_VERSION)
        return fail(`trainer speaks protocol ${String(v.protocol)}, this host speaks ${PROTOCOL_VERSION}: update the trainer or HyperPrompt`);
      const space: HyperparamSpec[] = [];
      for (const [i, s] of (v.space as unknown[]).entries()) {
        const c = checkSpec(s);
        if (!c.ok) return fail(`"hello" message: "space"[${i}]: ${c.error}`);
        space.push(c.value);
      }
      return ok({
        type: 'hello',
        protocol: v.protocol as number,
        trainer: typeof v.trainer === 'string' ? printable(v.trainer, MAX_NAME_CHARS) : 'unknown',
        algo: v.algo as string,
        env: v.env as string,
        space,
        values: v.values as HyperparamValues,
        step: (v.step as number | undefined) ?? 0,
        totalSteps: isNonNegativeInteger(v.totalSteps) ? v.totalSteps : undefined,
        backend: typeof v.backend === 'string' ? v.backend : undefined,
      });
    }
    case 'metrics': {
      const scalars = cleanScalars(v.scalars);
      const err = need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer') ?? need(scalars !== undefined, '"scalars" must be an object');
      if (err) return fail(err);
      return ok({ type: 'metrics', step: v.step as number, scalars: scalars! });
    }
    case 'interval': {
      const diagnostics = cleanScalars(v.diagnostics ?? {});
      const err =
        need(isNonNegativeInteger(v.index), '"index" must be a non-negative integer') ??
        need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer') ??
        need(isNumberArray(v.episodeReturns), '"episodeReturns" must be an array of numbers') ??
        need(isNumberArray(v.episodeLengths), '"episodeLengths" must be an array of numbers') ??
        need(diagnostics !== undefined, '"diagnostics" must be an object') ??
        need(v.sps === undefined || isFiniteNumber(v.sps), '"sps" must be a number') ??
        need(isValues(v.values), `"values": ${valuesProblem(v.values)}`);
      if (err) return fail(err);
      return ok({
        type: 'interval',
        index: v.index as number,
        step: v.step as number,
        episodeReturns: v.episodeReturns as number[],
        episodeLengths: v.episodeLengths as number[],
        diagnostics: diagnostics!,
        sps: (v.sps as number | undefined) ?? 0,
        values: v.values as HyperparamValues,
      });
    }
    case 'applied': {
      const err =
        need(isNonNegativeInteger(v.version), '"version" must be a non-negative integer') ??
        need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer') ??
        need(isValues(v.values), `"values": ${valuesProblem(v.values)}`);
      if (err) return fail(err);
      return ok({ type: 'applied', version: v.version as number, step: v.step as number, values: v.values as HyperparamValues });
    }
    case 'checkpoint': {
      const err = need(typeof v.path === 'string' && v.path !== '', '"path" must be a non-empty string') ?? need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer');
      if (err) return fail(err);
      return ok({ type: 'checkpoint', path: v.path as string, step: v.step as number });
    }
    case 'state': {
      const err = need(v.state === 'running' || v.state === 'paused', '"state" must be running or paused') ?? need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer');
      if (err) return fail(err);
      return ok({ type: 'state', state: v.state as 'running' | 'paused', step: v.step as number });
    }
    case 'done': {
      const err = need(isNonNegativeInteger(v.step), '"step" must be a non-negative integer');
      if (err) return fail(err);
      return ok({ type: 'done', step: v.step as number, reason: v.reason === 'stopped' ? 'stopped' : 'completed' });
    }
    case 'error': {
      const err = need(typeof v.message === 'string', '"message" must be a string');
      if (err) return fail(err);
      return ok({ type: 'error', message: boundedText(v.message as string, MAX_ERROR_CHARS), fatal: v.fatal === true });
    }
    default:
      return fail(`unknown message type ${describeValue(t)} (known: hello, metrics, interval, applied, checkpoint, state, done, error)`);
  }
}

/** UTF-8 byte length without Node's Buffer (this module also runs in the webview). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Parses one line of trainer stdout. Never throws. */
export function parseTrainerLine(line: string): Check<TrainerMessage> {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so only long lines need an exact count.
  if (line.length * 3 > MAX_LINE_BYTES) {
    const bytes = utf8Length(line);
    if (bytes > MAX_LINE_BYTES) return fail(`line of ${bytes} bytes exceeds the ${MAX_LINE_BYTES}-byte limit`);
  }
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return fail(`not valid JSON (${jsonError(e)}): ${describeValue(line)}`);
  }
  return checkTrainerMessage(v);
}

/** Checks one host command (the trainer side uses this on its stdin). */
export function checkHostCommand(v: unknown): Check<HostCommand> {
  if (!isRecord(v)) return fail(`expected a JSON object, got ${describeValue(v)}`);
  switch (v.type) {
    case 'set':
      if (!isNonNegativeInteger(v.version)) return fail('"set" command: "version" must be a non-negative integer');
      if (!isValues(v.values)) return fail(`"set" command: "values": ${valuesProblem(v.values)}`);
      return ok({ type: 'set', version: v.version, values: v.values });
    case 'pause':
    case 'resume':
    case 'checkpoint':
      return ok({ type: v.type });
    case 'stop':
      return ok({ type: 'stop', checkpoint: v.checkpoint !== false });
    default:
      return fail(`unknown command type ${describeValue(v.type)} (known: set, pause, resume, checkpoint, stop)`);
  }
}

/**
 * Parses one line a trainer read on its stdin (the host's commands). Never throws: a bad
 * line is a rejection the trainer reports back as a non-fatal `error` and skips.
 */
export function parseHostCommandLine(line: string): Check<HostCommand> {
  if (line.length * 3 > MAX_LINE_BYTES) {
    const bytes = utf8Length(line);
    if (bytes > MAX_LINE_BYTES) return fail(`command line of ${bytes} bytes exceeds the ${MAX_LINE_BYTES}-byte limit`);
  }
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return fail(`command is not valid JSON (${jsonError(e)}): ${describeValue(line)}`);
  }
  return checkHostCommand(v);
}

// ---------------------------------------------------------------------------------------------
// Run configuration handed to a trainer at start (added for the RunManager; see docs/protocol.md
// "Starting a trainer"). The host writes it as a JSON file and passes its absolute path in the
// environment variable HYPERPROMPT_CONFIG (the built-in trainer also accepts `--config <file>`),
// so a trainer in any language reads it the same way.

/** Environment variable naming the run configuration file. */
export const CONFIG_ENV_VAR = 'HYPERPROMPT_CONFIG';
/** Environment variable holding the protocol version the host speaks. */
export const PROTOCOL_ENV_VAR = 'HYPERPROMPT_PROTOCOL';

export interface TrainerRunConfig {
  protocol: number;
  runId: string;
  /** Index of this process in the run's history (0 for the first start, 1 after the first resume, ...). */
  segment: number;
  env: string;
  algo: string;
  /** Total env-step budget of the run (not of this segment). */
  totalSteps: number;
  seed: number;
  /** Hyperparameter values to start with: user overrides on a first start, the latest config version on resume. */
  values: HyperparamValues;
  /** Emit an `interval` message every this many env steps. */
  interval: number;
  /** Write a checkpoint every this many env steps (0: only on request, on stop and at the end). */
  checkpointEvery: number;
  /** Absolute folder where checkpoints go (exists when the trainer starts). */
  checkpointDir: string;
  /** Absolute path of the checkpoint to continue from, or null for a fresh start. */
  resumeFrom: string | null;
  /** Compute backend wish (built-in trainer: gpu, node, wasm, cpu); absent = trainer's choice. */
  backend?: string;
  /** Absolute run folder (read-only for the trainer except `checkpointDir`). */
  runDir: string;
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Guards a run configuration read from a file (the trainer side). */
export function checkTrainerRunConfig(v: unknown): Check<TrainerRunConfig> {
  if (!isRecord(v)) return fail(`run configuration must be a JSON object, got ${describeValue(v)}`);
  const err =
    (v.protocol === PROTOCOL_VERSION ? undefined : `run configuration is for protocol ${describeValue(v.protocol)}, this trainer speaks ${PROTOCOL_VERSION}`) ??
    (typeof v.runId === 'string' ? undefined : '"runId" must be a string') ??
    (isNonNegativeInteger(v.segment) ? undefined : '"segment" must be a non-negative integer') ??
    (typeof v.env === 'string' && v.env !== '' ? undefined : '"env" must be a non-empty string') ??
    (typeof v.algo === 'string' && v.algo !== '' ? undefined : '"algo" must be a non-empty string') ??
    (isPositiveInteger(v.totalSteps) ? undefined : '"totalSteps" must be a positive integer') ??
    (isNonNegativeInteger(v.seed) ? undefined : '"seed" must be a non-negative integer') ??
    (isValues(v.values) ? undefined : `"values": ${valuesProblem(v.values)}`) ??
    (isPositiveInteger(v.interval) ? undefined : '"interval" must be a positive integer') ??
    (isNonNegativeInteger(v.checkpointEvery) ? undefined : '"checkpointEvery" must be a non-negative integer') ??
    (typeof v.checkpointDir === 'string' && v.checkpointDir !== '' ? undefined : '"checkpointDir" must be a non-empty string') ??
    (v.resumeFrom === null || (typeof v.resumeFrom === 'string' && v.resumeFrom !== '') ? undefined : '"resumeFrom" must be a path or null') ??
    (v.backend === undefined || typeof v.backend === 'string' ? undefined : '"backend" must be a string') ??
    (typeof v.runDir === 'string' && v.runDir !== '' ? undefined : '"runDir" must be a non-empty string');
  if (err) return fail(`run configuration: ${err}`);
  return ok({
    protocol: PROTOCOL_VERSION,
    runId: v.runId as string,
    segment: v.segment as number,
    env: v.env as string,
    algo: v.algo as string,
    totalSteps: v.totalSteps as number,
    seed: v.seed as number,
    values: v.values as HyperparamValues,
    interval: v.interval as number,
    checkpointEvery: v.checkpointEvery as number,
    checkpointDir: v.checkpointDir as string,
    resumeFrom: v.resumeFrom as string | null,
    backend: v.backend as string | undefined,
    runDir: v.runDir as string,
  });
}

// What a run is on disk (DESIGN.md §3): the spec it was started with, its status, its process
// segments and checkpoints (run.json), and the line formats of configs.jsonl and metrics.jsonl.
// Everything read back from disk is `unknown` until `checkRunRecord` has checked it.

import { type Check, describeValue, fail, isFiniteNumber, isNonNegativeInteger, isRecord, ok } from '../shared/guards';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';

export const RUN_RECORD_SCHEMA = 1;

export type RunStatus = 'created' | 'running' | 'paused' | 'stopped' | 'completed' | 'crashed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['created', 'running', 'paused', 'stopped', 'completed', 'crashed', 'interrupted'];

/** Statuses in which a trainer process is (or should be) alive. */
export function isLiveStatus(s: RunStatus): boolean {
  return s === 'created' || s === 'running' || s === 'paused';
}

/** Who made a configuration change. Open-ended: controllers may add their own names. */
export type ConfigAuthor = 'initial' | 'user' | 'copilot' | 'schedule' | 'pbt' | 'trainer' | (string & {});

/** How to start the trainer: the built-in Node trainer, or a user command line (run in
 *  `cwd`, recorded at start so a resume from elsewhere finds relative paths again). */
export type TrainerSpec = { kind: 'builtin' } | { kind: 'command'; command: string; cwd?: string };

/** What the user asked for. Stored in run.json; never changes, except `totalSteps` on resume. */
export interface RunSpec {
  env: string;
  algo: string;
  totalSteps: number;
  seed: number;
  /** Hyperparameter overrides given at start (the full initial values are config version 1). */
  values: HyperparamValues;
  /** K: env steps per interval (what the co-pilot sees). */
  interval: number;
  /** Checkpoint every N env steps; 0 = only on request, on stop and at the end. */
  checkpointEvery: number;
  backend?: string;
  trainer: TrainerSpec;
  /** Free-form label shown in lists. */
  label?: string;
}

export interface ExitRecord {
  code: number | null;
  signal: string | null;
  /** In words: what happened and what to do. */
  message: string;
}

/** One trainer process in the life of a run. A resume starts a new segment. */
export interface SegmentRecord {
  index: number;
  startedAt: string;
  endedAt?: string;
  pid?: number;
  /** Step the segment started from (the checkpoint's step on resume). */
  startStep: number;
  endStep?: number;
  resumedFrom: string | null;
  /** Byte length of metrics.jsonl when the segment started: readers drop lines of earlier
   *  segments whose step is above this segment's startStep (they were replayed). */
  metricsOffset: number;
  /** The executable that ran the trainer and why it was chosen. */
  executable?: string;
  executableReason?: string;
  exit?: ExitRecord;
}

export interface CheckpointRecord {
  /** Absolute, or relative to the run folder when inside it. */
  path: string;
  step: number;
  at: string;
  /** SHA-256 of the checkpoint as the host found it when it was announced (a file's bytes; for a
   *  folder, of its files' names and hashes), so a resume can tell a damaged one. */
  sha256?: string;
  bytes?: number;
  /** Set when a resume found it damaged or missing (in words); it is never resumed from again. */
  damaged?: string;
  /** Set when the host deleted it to bound disk use (in words: when and why); never resumed from. */
  pruned?: string;
}

export interface RunRecord {
  schema: number;
  id: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  spec: RunSpec;
  /** Last known env step. */
  step: number;
  /** pid of the live trainer (null when none), and of the host supervising it. */
  pid: number | null;
  hostPid: number | null;
  segments: SegmentRecord[];
  checkpoints: CheckpointRecord[];
  /** From the trainer's hello. */
  trainerName?: string;
  backend?: string;
  space?: HyperparamSpec[];
  /** Last problem, in words. */
  message?: string;
}

/** One line of configs.jsonl. */
export interface ConfigRecord {
  version: number;
  /** Env step at which the values took effect (the trainer's `applied`). */
  step: number;
  /** All values in force from that step on. */
  values: HyperparamValues;
  author: ConfigAuthor;
  reason: string;
  /** Only the keys that changed against the previous version. */
  changed?: HyperparamValues;
  at?: string;
}

/** One line of metrics.jsonl: `{"step": 1234, "charts/episodic_return": 21, ...}`. */
export interface MetricPoint {
  step: number;
  scalars: Record<string, number>;
}

function isStatus(v: unknown): v is RunStatus {
  return typeof v === 'string' && (RUN_STATUSES as readonly string[]).includes(v);
}

function checkSpecRecord(v: unknown): Check<RunSpec> {
  if (!isRecord(v)) return fail('"spec" must be an object');
  const t = v.trainer;
  const trainer: TrainerSpec | undefined = isRecord(t)
    ? t.kind === 'builtin'
      ? { kind: 'builtin' }
      : t.kind === 'command' && typeof t.command === 'string'
        ? { kind: 'command', command: t.command, cwd: typeof t.cwd === 'string' ? t.cwd : undefined }
        : undefined
    : undefined;
  if (typeof v.env !== 'string' || typeof v.algo !== 'string') return fail('"spec" needs "env" and "algo" strings');
  if (!isNonNegativeInteger(v.totalSteps) || !isNonNegativeInteger(v.seed)) return fail('"spec" needs integer "totalSteps" and "seed"');
  if (!isRecord(v.values)) return fail('"spec.values" must be an object');
  if (!isNonNegativeInteger(v.interval) || !isNonNegativeInteger(v.checkpointEvery)) return fail('"spec" needs integer "interval" and "checkpointEvery"');
  if (!trainer) return fail('"spec.trainer" must be {"kind":"builtin"} or {"kind":"command","command":...}');
  return ok({
    env: v.env,
    algo: v.algo,
    totalSteps: v.totalSteps,
    seed: v.seed,
    values: v.values as HyperparamValues,
    interval: v.interval,
    checkpointEvery: v.checkpointEvery,
    backend: typeof v.backend === 'string' ? v.backend : undefined,
    trainer,
    label: typeof v.label === 'string' ? v.label : undefined,
  });
}

/** Checks a decoded run.json. Lenient about optional fields, strict about what readers rely on. */
export function checkRunRecord(v: unknown): Check<RunRecord> {
  if (!isRecord(v)) return fail(`run.json must hold a JSON object, got ${describeValue(v)}`);
  if (v.schema !== RUN_RECORD_SCHEMA) return fail(`run.json has schema ${describeValue(v.schema)}, this HyperPrompt reads ${RUN_RECORD_SCHEMA}`);
  if (typeof v.id !== 'string') return fail('run.json: "id" must be a string');
  if (!isStatus(v.status)) return fail(`run.json: "status" must be one of ${RUN_STATUSES.join(', ')}`);
  const spec = checkSpecRecord(v.spec);
  if (!spec.ok) return fail(`run.json: ${spec.error}`);
  if (!Array.isArray(v.segments) || !Array.isArray(v.checkpoints)) return fail('run.json: "segments" and "checkpoints" must be arrays');
  const segments: SegmentRecord[] = [];
  for (const s of v.segments) {
    if (!isRecord(s) || !isNonNegativeInteger(s.index) || !isNonNegativeInteger(s.startStep) || !isNonNegativeInteger(s.metricsOffset))
      return fail('run.json: each segment needs "index", "startStep" and "metricsOffset"');
    segments.push(s as unknown as SegmentRecord);
  }
  const checkpoints: CheckpointRecord[] = [];
  for (const c of v.checkpoints) {
    if (!isRecord(c) || typeof c.path !== 'string' || !isNonNegativeInteger(c.step)) return fail('run.json: each checkpoint needs "path" and "step"');
    checkpoints.push({
      path: c.path,
      step: c.step,
      at: typeof c.at === 'string' ? c.at : '',
      ...(typeof c.sha256 === 'string' ? { sha256: c.sha256 } : {}),
      ...(isNonNegativeInteger(c.bytes) ? { bytes: c.bytes } : {}),
      ...(typeof c.damaged === 'string' ? { damaged: c.damaged } : {}),
      ...(typeof c.pruned === 'string' ? { pruned: c.pruned } : {}),
    });
  }
  return ok({
    schema: RUN_RECORD_SCHEMA,
    id: v.id,
    createdAt: typeof v.createdAt === 'string' ? v.createdAt : '',
    updatedAt: typeof v.updatedAt === 'string' ? v.updatedAt : '',
    status: v.status,
    spec: spec.value,
    step: isNonNegativeInteger(v.step) ? v.step : 0,
    pid: isNonNegativeInteger(v.pid) ? v.pid : null,
    hostPid: isNonNegativeInteger(v.hostPid) ? v.hostPid : null,
    segments,
    checkpoints,
    trainerName: typeof v.trainerName === 'string' ? v.trainerName : undefined,
    backend: typeof v.backend === 'string' ? v.backend : undefined,
    space: Array.isArray(v.space) ? (v.space as HyperparamSpec[]) : undefined,
    message: typeof v.message === 'string' ? v.message : undefined,
  });
}

/** Checks one decoded configs.jsonl line. */
export function checkConfigRecord(v: unknown): Check<ConfigRecord> {
  if (!isRecord(v)) return fail(`a config line must be an object, got ${describeValue(v)}`);
  if (!isNonNegativeInteger(v.version) || !isNonNegativeInteger(v.step) || !isRecord(v.values))
    return fail('a config line needs "version", "step" and "values"');
  return ok({
    version: v.version,
    step: v.step,
    values: v.values as HyperparamValues,
    author: typeof v.author === 'string' ? v.author : 'unknown',
    reason: typeof v.reason === 'string' ? v.reason : '',
    changed: isRecord(v.changed) ? (v.changed as HyperparamValues) : undefined,
    at: typeof v.at === 'string' ? v.at : undefined,
  });
}

/** Checks one decoded metrics.jsonl line (`{"step", ...scalars}`); non-finite scalars are dropped. */
export function checkMetricLine(v: unknown): Check<MetricPoint> {
  if (!isRecord(v) || !isNonNegativeInteger(v.step)) return fail('a metrics line needs a non-negative integer "step"');
  const scalars: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'step' && isFiniteNumber(x)) scalars[k] = x;
  return ok({ step: v.step, scalars });
}

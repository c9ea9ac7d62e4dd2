// A bench's results on disk, and their runtime guard. Layout of a bench output folder:
//
//   <out>/bench.json            the suite as expanded (name, job list with ids and hashes)
//   <out>/results/<jobId>.json  one finished job (written atomically: temp file, then rename)
//   <out>/runs/...              the jobs' run folders (RunStore layout, DESIGN.md §3)
//   <out>/report.md|.html, plots/  written by `hyperprompt bench report`
//
// The results folder is the resume index: a job whose result file exists with status "done"
// and the hash of the job as now expanded is skipped; anything else runs (again).

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Check, describeValue, fail, isFiniteNumber, isRecord, ok } from '../shared/guards';
import type { HyperparamValues } from '../shared/hyperparams';
import type { ReferenceReturns, RunMetrics } from './metrics';

export interface TrajectoryPoint {
  step: number;
  values: HyperparamValues;
  /** Who set them: initial, schedule, heuristic, copilot, pbt, oracle, ... */
  author: string;
}

export interface EvalResult {
  env: string;
  episodes: number;
  meanReturn: number;
}

export interface SearchTrialRecord {
  values: HyperparamValues;
  /** The trial's objective (normalised AUC of the trial run); NaN when it failed. */
  score: number;
  envSteps: number;
}

export interface SearchRecord {
  trials: SearchTrialRecord[];
  best: HyperparamValues;
  bestScore: number;
  /** Every env step the search spent (all trials). */
  envSteps: number;
}

export interface MemberHistory {
  member: number;
  trajectory: TrajectoryPoint[];
}

export interface JobResult {
  id: string;
  hash: string;
  kind: 'run' | 'search';
  taskId: string;
  env: string;
  algo: string;
  steps: number;
  reference: ReferenceReturns;
  start: string;
  controller: string;
  seed: number;
  status: 'done' | 'failed';
  error?: string;
  startedAt: string;
  finishedAt: string;
  /** The hyperparameters the run started from. */
  values: HyperparamValues;
  metrics?: RunMetrics;
  /** Raw running-mean return at each grid step (metrics.ts). */
  curve?: { grid: number[]; returns: number[] };
  trajectory?: TrajectoryPoint[];
  evals?: EvalResult[];
  search?: SearchRecord;
  /** Population baselines: every member's config history. */
  members?: MemberHistory[];
  runDir?: string;
}

const isNumArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isFiniteNumber);
const isValues = (v: unknown): v is HyperparamValues =>
  isRecord(v) && Object.values(v).every((x) => isFiniteNumber(x) || typeof x === 'boolean' || typeof x === 'string');
const isNullableNum = (v: unknown): boolean => v === null || isFiniteNumber(v);
const isTrajectory = (v: unknown): v is TrajectoryPoint[] =>
  Array.isArray(v) && v.every((p) => isRecord(p) && isFiniteNumber(p.step) && isValues(p.values) && typeof p.author === 'string');

function checkMetrics(v: unknown): string | undefined {
  if (!isRecord(v)) return 'metrics must be an object';
  for (const k of ['auc', 'episodes', 'wallSeconds', 'controllerSeconds', 'changes', 'envSteps']) if (!isFiniteNumber(v[k])) return `metrics.${k} must be a number`;
  for (const k of ['finalReturn', 'finalScore', 'evalReturn', 'stepsToThreshold']) if (!isNullableNum(v[k])) return `metrics.${k} must be a number or null`;
  return undefined;
}

/** Checks one decoded result file. */
export function checkJobResult(v: unknown): Check<JobResult> {
  if (!isRecord(v)) return fail(`a job result must be an object, got ${describeValue(v)}`);
  const need = (cond: boolean, what: string): string | undefined => (cond ? undefined : what);
  const err =
    need(typeof v.id === 'string' && v.id !== '', '"id" must be a non-empty string') ??
    need(typeof v.hash === 'string', '"hash" must be a string') ??
    need(v.kind === 'run' || v.kind === 'search', '"kind" must be "run" or "search"') ??
    need(typeof v.taskId === 'string' && typeof v.env === 'string' && typeof v.algo === 'string', '"taskId", "env" and "algo" must be strings') ??
    need(isFiniteNumber(v.steps), '"steps" must be a number') ??
    need(isRecord(v.reference) && isFiniteNumber(v.reference.random) && isFiniteNumber(v.reference.threshold), '"reference" must be {random, threshold}') ??
    need(typeof v.start === 'string' && typeof v.controller === 'string', '"start" and "controller" must be strings') ??
    need(isFiniteNumber(v.seed), '"seed" must be a number') ??
    need(v.status === 'done' || v.status === 'failed', '"status" must be "done" or "failed"') ??
    need(typeof v.startedAt === 'string' && typeof v.finishedAt === 'string', '"startedAt" and "finishedAt" must be strings') ??
    need(isValues(v.values), '"values" must be an object of hyperparameter values') ??
    (v.metrics === undefined ? undefined : checkMetrics(v.metrics)) ??
    need(v.curve === undefined || (isRecord(v.curve) && isNumArray(v.curve.grid) && isNumArray(v.curve.returns) && v.curve.grid.length === v.curve.returns.length), '"curve" must be {grid, returns} of equal length') ??
    need(v.trajectory === undefined || isTrajectory(v.trajectory), '"trajectory" must be an array of {step, values, author}') ??
    need(v.evals === undefined || (Array.isArray(v.evals) && v.evals.every((e) => isRecord(e) && typeof e.env === 'string' && isFiniteNumber(e.episodes) && isFiniteNumber(e.meanReturn))), '"evals" must be an array of {env, episodes, meanReturn}') ??
    need(
      v.search === undefined ||
        (isRecord(v.search) &&
          Array.isArray(v.search.trials) &&
          v.search.trials.every((t) => isRecord(t) && isValues(t.values) && (isFiniteNumber(t.score) || t.score === null) && isFiniteNumber(t.envSteps)) &&
          isValues(v.search.best) &&
          isFiniteNumber(v.search.envSteps)),
      '"search" must be {trials, best, bestScore, envSteps}',
    ) ??
    need(v.members === undefined || (Array.isArray(v.members) && v.members.every((m) => isRecord(m) && isFiniteNumber(m.member) && isTrajectory(m.trajectory))), '"members" must be an array of {member, trajectory}');
  if (err) return fail(`job result ${typeof v.id === 'string' ? `"${v.id}" ` : ''}is malformed: ${err}`);
  const r = v as unknown as JobResult;
  // JSON has no NaN: a failed search trial's score is stored as null and read back as NaN.
  if (r.search) for (const t of r.search.trials) if ((t.score as number | null) === null) t.score = Number.NaN;
  if (r.search && (r.search.bestScore as number | null) === null) r.search.bestScore = Number.NaN;
  return ok(r);
}

function safeName(id: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith('.')) throw new RangeError(`job id "${id}" is not a safe file name`);
  return id;
}

export function resultsDir(out: string): string {
  return join(out, 'results');
}

/** Writes one result atomically, so an interrupted bench never leaves half a file behind. */
export function writeResult(out: string, r: JobResult): void {
  const dir = resultsDir(out);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${safeName(r.id)}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(r, null, 1)}\n`);
  renameSync(tmp, file);
}

export interface ReadResults {
  results: JobResult[];
  /** Files that could not be read or are malformed, with the reason. */
  problems: string[];
}

export function readResults(out: string): ReadResults {
  const dir = resultsDir(out);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { results: [], problems: [] };
    throw e;
  }
  const results: JobResult[] = [];
  const problems: string[] = [];
  for (const n of names.sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, n), 'utf8'));
    } catch (e) {
      problems.push(`${n}: ${(e as Error).message}`);
      continue;
    }
    const c = checkJobResult(raw);
    if (c.ok) results.push(c.value);
    else problems.push(`${n}: ${c.error}`);
  }
  return { results, problems };
}

/** One job's result, or undefined when it has none (or a malformed one, which then runs again). */
export function readResult(out: string, id: string): JobResult | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(resultsDir(out), `${safeName(id)}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  const c = checkJobResult(raw);
  return c.ok ? c.value : undefined;
}

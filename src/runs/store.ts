// RunStore: runs as folders on disk (DESIGN.md §3). `run.json` is small state, rewritten
// atomically (temp file + rename); every other file is append-only JSON lines. Reading never
// trusts the files: each line is checked, a truncated last line is ignored and reported.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { HyperparamValues } from '../shared/hyperparams';
import { isInside, newRunId, resolveRunDir } from './ids';
import { appendLines, type JsonlProblem, readJsonlSync, RunWriteError } from './jsonl';
import {
  checkConfigRecord,
  checkRunRecord,
  type CheckpointRecord,
  type ConfigRecord,
  isLiveStatus,
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type RunSpec,
  type RunStatus,
} from './types';

/** Bad input about a run (unknown id, id escaping the folder, unreadable run.json). */
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}

export interface RunPaths {
  dir: string;
  runJson: string;
  metrics: string;
  configs: string;
  decisions: string;
  checkpoints: string;
  /** Per-segment trainer configuration files (segments/<n>.json). */
  segments: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    runJson: join(dir, 'run.json'),
    metrics: join(dir, 'metrics.jsonl'),
    configs: join(dir, 'configs.jsonl'),
    decisions: join(dir, 'decisions.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    segments: join(dir, 'segments'),
  };
}

/** What `runs list` shows for one run. */
export interface RunSummary {
  id: string;
  /** Effective status: a live status whose process is gone reads `interrupted`. */
  status: RunStatus;
  /** Status as written in run.json. */
  recordedStatus: RunStatus;
  env: string;
  algo: string;
  step: number;
  totalSteps: number;
  seed: number;
  createdAt: string;
  updatedAt: string;
  segments: number;
  lastCheckpointStep: number | null;
  trainer: string;
  label?: string;
  message?: string;
}

/** True when a process with this pid exists and is not a zombie (a reused pid counts as alive). */
export function isPidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed trainer whose host died too stays a zombie until something reaps it: it is gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): trust kill(0)
  }
}

/**
 * A run recorded as live whose trainer (or, before spawning, whose host) is gone was cut
 * off: by a crash of the host, a kill, a reboot. It is reported as `interrupted`.
 */
export function effectiveStatus(r: RunRecord): RunStatus {
  if (!isLiveStatus(r.status)) return r.status;
  const owner = r.pid ?? r.hostPid;
  return isPidAlive(owner) ? r.status : 'interrupted';
}

export class RunStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The folder of an existing or future run; throws RunInputError on a bad or escaping id. */
  dirOf(id: string): string {
    const c = resolveRunDir(this.root, id);
    if (!c.ok) throw new RunInputError(c.error);
    return c.value;
  }

  paths(id: string): RunPaths {
    return runPaths(this.dirOf(id));
  }

  /** Creates the run folder and its run.json. Throws RunWriteError when the folder cannot be written. */
  create(spec: RunSpec, now = new Date()): RunRecord {
    try {
      mkdirSync(this.root, { recursive: true });
    } catch (e) {
      throw new RunWriteError(this.root, e);
    }
    let id = newRunId(spec.env, spec.algo, now);
    while (existsSync(join(this.root, id))) id = newRunId(spec.env, spec.algo, now);
    const p = this.paths(id);
    try {
      mkdirSync(p.dir);
      mkdirSync(p.checkpoints);
      mkdirSync(p.segments);
    } catch (e) {
      throw new RunWriteError(p.dir, e);
    }
    const at = now.toISOString();
    const record: RunRecord = {
      schema: RUN_RECORD_SCHEMA,
      id,
      createdAt: at,
      updatedAt: at,
      status: 'created',
      spec,
      step: 0,
      pid: null,
      hostPid: process.pid,
      segments: [],
      checkpoints: [],
    };
    this.write(record);
    return record;
  }

  exists(id: string): boolean {
    return existsSync(this.paths(id).runJson);
  }

  read(id: string): RunRecord {
    const p = this.paths(id);
    if (!existsSync(p.runJson)) throw new RunInputError(`no run "${id}" in ${this.root} (list runs with "hyperprompt runs list --out ${this.root}")`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(p.runJson, 'utf8'));
    } catch (e) {
      throw new RunInputError(`cannot read ${p.runJson}: ${(e as Error).message}`);
    }
    const c = checkRunRecord(raw);
    if (!c.ok) throw new RunInputError(`${p.runJson}: ${c.error}`);
    return c.value;
  }

  /** Atomically replaces run.json (temp file + rename: readers see the old or the new, never half). */
  write(record: RunRecord): void {
    const p = this.paths(record.id);
    record.updatedAt = new Date().toISOString();
    const tmp = `${p.runJson}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
      renameSync(tmp, p.runJson);
    } catch (e) {
      throw new RunWriteError(p.runJson, e);
    }
  }

  /** Every run folder under the root, newest first. Unreadable ones are reported in `problems`. */
  list(): { runs: RunSummary[]; problems: string[] } {
    const runs: RunSummary[] = [];
    const problems: string[] = [];
    if (!existsSync(this.root)) return { runs, problems };
    for (const name of readdirSync(this.root).sort().reverse()) {
      const dir = join(this.root, name);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'run.json'))) continue;
      try {
        runs.push(this.summarise(this.read(name)));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return { runs, problems };
  }

  summarise(r: RunRecord): RunSummary {
    const last = this.lastCheckpoint(r);
    return {
      id: r.id,
      status: effectiveStatus(r),
      recordedStatus: r.status,
      env: r.spec.env,
      algo: r.spec.algo,
      step: r.step,
      totalSteps: r.spec.totalSteps,
      seed: r.spec.seed,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      segments: r.segments.length,
      lastCheckpointStep: last ? last.step : null,
      trainer: r.spec.trainer.kind === 'builtin' ? 'builtin' : r.spec.trainer.command,
      label: r.spec.label,
      message: r.message,
    };
  }

  lastCheckpoint(r: RunRecord): CheckpointRecord | undefined {
    return r.checkpoints.length ? r.checkpoints[r.checkpoints.length - 1] : undefined;
  }

  /** A checkpoint path as stored: relative to the run folder when inside it. */
  storedCheckpointPath(id: string, path: string): string {
    const dir = this.dirOf(id);
    const abs = resolve(dir, path);
    return isInside(dir, abs) ? relative(dir, abs) : abs;
  }

  absoluteCheckpointPath(id: string, stored: string): string {
    return isAbsolute(stored) ? stored : join(this.dirOf(id), stored);
  }

  readConfigs(id: string): { records: ConfigRecord[]; problems: JsonlProblem[] } {
    const raw = readJsonlSync(this.paths(id).configs);
    const records: ConfigRecord[] = [];
    const problems = [...raw.problems];
    raw.values.forEach((v, i) => {
      const c = checkConfigRecord(v);
      if (c.ok) records.push(c.value);
      else problems.push({ line: i + 1, message: c.error });
    });
    return { records, problems };
  }

  appendConfig(id: string, record: ConfigRecord): void {
    appendLines(this.paths(id).configs, [JSON.stringify(record)]);
  }

  /** Appends one co-pilot decision record (its type is defined by src/copilot). */
  appendDecision(id: string, record: object): void {
    appendLines(this.paths(id).decisions, [JSON.stringify(record)]);
  }

  readDecisions(id: string): { records: unknown[]; problems: JsonlProblem[] } {
    const raw = readJsonlSync(this.paths(id).decisions);
    return { records: raw.values, problems: raw.problems };
  }

  /** Latest full values from configs.jsonl, or undefined before the first version. */
  latestValues(id: string): HyperparamValues | undefined {
    const { records } = this.readConfigs(id);
    return records.length ? records[records.length - 1]!.values : undefined;
  }
}

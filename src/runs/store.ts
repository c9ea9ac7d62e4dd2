// RunStore: runs as folders on disk (DESIGN.md §3). `run.json` is small state, rewritten
// atomically (temp file + rename); every other file is append-only JSON lines. Reading never
// trusts the files: each line is checked, a truncated last line is ignored and reported.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { HyperparamValues } from '../shared/hyperparams';
import { checkpointProblemSync } from '../rl/checkpoint';
import { hashCheckpointSync } from './checkpoint-hash';
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
  /** A few KiB held back so a full disk can still record how the run ended (see RESERVE_BYTES). */
  reserve: string;
}

/**
 * Bytes each run folder keeps in `.space-reserve`. When the disk fills up, the host deletes it
 * and so can still rewrite run.json with the run's end and its message; a resume writes it
 * again first, which is also how a resume on a disk that is still full is refused in words.
 */
export const RESERVE_BYTES = 64 * 1024;

/** A checkpoint a resume passed over, and why. */
export interface SkippedCheckpoint {
  checkpoint: CheckpointRecord;
  problem: string;
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
    reserve: join(dir, '.space-reserve'),
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
    this.ensureReserve(id);
    this.write(record);
    return record;
  }

  /** Writes the run folder's space reserve if it is missing. Throws RunWriteError (a full disk says so). */
  ensureReserve(id: string): void {
    const p = this.paths(id);
    if (existsSync(p.reserve) && statSync(p.reserve).size === RESERVE_BYTES) return;
    try {
      writeFileSync(p.reserve, Buffer.alloc(RESERVE_BYTES));
    } catch (e) {
      rmSync(p.reserve, { force: true });
      throw new RunWriteError(p.reserve, e);
    }
  }

  /** Deletes the reserve (the disk is full): returns true when there was one to free. */
  releaseReserve(id: string): boolean {
    try {
      unlinkSync(this.paths(id).reserve);
      return true;
    } catch {
      return false;
    }
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

  /**
   * Atomically replaces run.json (temp file + rename: readers see the old or the new, never half).
   * Throws RunWriteError; on a full disk it first spends the folder's reserve to get the write
   * through, and still throws (with `written` true) so the caller stops what fills the disk.
   */
  write(record: RunRecord): void {
    const p = this.paths(record.id);
    record.updatedAt = new Date().toISOString();
    const tmp = `${p.runJson}.tmp-${process.pid}`;
    const text = JSON.stringify(record, null, 2) + '\n';
    const attempt = (): void => {
      try {
        writeFileSync(tmp, text);
        renameSync(tmp, p.runJson);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new RunWriteError(p.runJson, e);
      }
    };
    try {
      attempt();
    } catch (e) {
      const err = e as RunWriteError;
      // A full disk: spend the reserve on recording the run's state, then try once more. Even
      // when that works the disk is full, and the caller is told so (a run stops on it).
      if (!err.diskFull || !this.releaseReserve(record.id)) throw err;
      attempt();
      throw new RunWriteError(p.runJson, err.cause, true);
    }
  }

  /** run.json records the listing read, by folder name, with the identity of the file read. */
  private readonly listed = new Map<string, { ino: number; size: number; mtimeMs: number; record: RunRecord }>();

  /**
   * `read` for the listing: a run.json that has not changed (same inode, size and mtime; `write`
   * replaces it by a rename, so every new version is a new inode) is not read, parsed and
   * checked again. The Runs tree lists on every redraw: for 200 runs that is 200 stats instead
   * of 200 reads (bench/load.ts, part "tree").
   */
  private readListed(name: string, runJson: string): RunRecord {
    const st = statSync(runJson);
    const hit = this.listed.get(name);
    if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.record;
    const record = this.read(name);
    this.listed.set(name, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, record });
    return record;
  }

  /** Every run folder under the root, newest first. Unreadable ones are reported in `problems`. */
  list(): { runs: RunSummary[]; problems: string[] } {
    const runs: RunSummary[] = [];
    const problems: string[] = [];
    if (!existsSync(this.root)) return { runs, problems };
    const names = readdirSync(this.root).sort().reverse();
    // Deleted run folders are forgotten.
    if (this.listed.size) for (const n of [...this.listed.keys()]) if (!names.includes(n)) this.listed.delete(n);
    for (const name of names) {
      const dir = join(this.root, name);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'run.json'))) continue;
      try {
        runs.push(this.summarise(this.readListed(name, join(dir, 'run.json'))));
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

  /** The newest checkpoint not known to be damaged (it is not verified here: see chooseCheckpoint). */
  lastCheckpoint(r: RunRecord): CheckpointRecord | undefined {
    for (let i = r.checkpoints.length - 1; i >= 0; i--) if (!r.checkpoints[i]!.damaged && !r.checkpoints[i]!.pruned) return r.checkpoints[i];
    return undefined;
  }

  /**
   * What is wrong with a recorded checkpoint, or undefined when it is whole: it must exist, match
   * the checksum the host took when it was announced, and (a built-in trainer's folder) match
   * its own manifest's checksums.
   */
  checkpointProblem(id: string, c: CheckpointRecord): string | undefined {
    const abs = this.absoluteCheckpointPath(id, c.path);
    if (!existsSync(abs)) return `${abs} is missing`;
    try {
      if (c.sha256 !== undefined) {
        const h = hashCheckpointSync(abs);
        if (c.bytes !== undefined && h.bytes !== c.bytes) return `${abs} is truncated or changed (${h.bytes} bytes, ${c.bytes} when it was written)`;
        if (h.sha256 !== c.sha256) return `${abs} is corrupted (its SHA-256 differs from the one taken when it was written)`;
      }
      // Without the host's checksum (recorded before it took one), a built-in trainer's folder
      // still carries its own.
      if (c.sha256 === undefined && statSync(abs).isDirectory() && existsSync(join(abs, 'checkpoint.json'))) {
        const p = checkpointProblemSync(abs);
        if (p) return `${abs}: ${p}`;
      }
    } catch (e) {
      return `${abs} cannot be read: ${(e as Error).message}`;
    }
    return undefined;
  }

  /**
   * The checkpoint a resume should start from: the newest whole one. Damaged or missing ones
   * newer than it are marked `damaged` in `r` (the caller writes run.json) and returned in
   * `skipped`, newest first.
   */
  chooseCheckpoint(r: RunRecord): { checkpoint: CheckpointRecord | undefined; skipped: SkippedCheckpoint[] } {
    const skipped: SkippedCheckpoint[] = [];
    for (let i = r.checkpoints.length - 1; i >= 0; i--) {
      const c = r.checkpoints[i]!;
      if (c.damaged || c.pruned) continue;
      const problem = this.checkpointProblem(r.id, c);
      if (!problem) return { checkpoint: c, skipped };
      c.damaged = problem;
      skipped.push({ checkpoint: c, problem });
    }
    return { checkpoint: undefined, skipped };
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

// RunManager: starts runs (new or resumed) as supervised trainer processes and keeps the
// live ones. It is the one entry point the CLI and the VS Code extension share; see
// src/runs/README.md for the API and its events.

import type { HyperparamValues } from '../shared/hyperparams';
import { type Disposable, TypedEmitter } from './emitter';
import { type NodeBinary, resolveNodeBinary } from './node-binary';
import { DEFAULT_TIMEOUTS, Run, type RunAttachment, type RunTimeouts } from './run';
import { effectiveStatus, isPidAlive, RunInputError, RunStore } from './store';
import { defaultTrainerEntry, type TrainerEntry } from './trainer-entry';
import type { RunSpec } from './types';

export interface RunManagerOptions {
  /** The runs folder (`.hyperprompt/runs` in a workspace, `--out` for the CLI). */
  root: string;
  /** Node executable for the built-in trainer (setting / `--node`); default: system node, else the editor's runtime. */
  nodePath?: string;
  /** Where the built-in trainer's code is (default: dist/trainer.js, or the TypeScript source under tsx). */
  trainerEntry?: TrainerEntry;
  /** Working folder for trainer processes (a user command's relative paths resolve here). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeouts?: Partial<RunTimeouts>;
  /** Metric points kept in memory per run for views (default 2000). */
  recentWindow?: number;
}

export interface StartOptions {
  /** The co-pilot session, or anything else that follows the run (see RunAttachment). */
  copilot?: RunAttachment;
  attachments?: RunAttachment[];
}

export interface ResumeOptions extends StartOptions {
  /** New total step budget (must exceed the step being resumed from). */
  totalSteps?: number;
}

export interface RunManagerEvents {
  /** A run was started or resumed (subscribe to its events here). */
  run: Run;
}

/** Checks a spec's numbers before anything is written. */
export function checkRunSpec(spec: RunSpec): string | undefined {
  if (!Number.isInteger(spec.totalSteps) || spec.totalSteps <= 0) return `steps must be a positive integer, got ${spec.totalSteps}`;
  if (!Number.isInteger(spec.seed) || spec.seed < 0) return `seed must be a non-negative integer, got ${spec.seed}`;
  if (!Number.isInteger(spec.interval) || spec.interval <= 0) return `interval must be a positive integer, got ${spec.interval}`;
  if (!Number.isInteger(spec.checkpointEvery) || spec.checkpointEvery < 0) return `checkpoint-every must be a non-negative integer, got ${spec.checkpointEvery}`;
  if (spec.trainer.kind === 'command' && spec.trainer.command.trim() === '') return 'the trainer command is empty';
  return undefined;
}

export class RunManager extends TypedEmitter<RunManagerEvents> {
  readonly store: RunStore;
  private readonly opts: RunManagerOptions;
  private readonly live = new Map<string, Run>();
  private node: NodeBinary | undefined;

  constructor(opts: RunManagerOptions) {
    super();
    this.opts = opts;
    this.store = new RunStore(opts.root);
  }

  /** The Node executable the built-in trainer runs on, and why (resolved once). */
  nodeBinary(): NodeBinary {
    this.node ??= resolveNodeBinary({ override: this.opts.nodePath, env: this.opts.env ?? process.env });
    return this.node;
  }

  /** Live runs of this manager. */
  runs(): Run[] {
    return [...this.live.values()];
  }

  get(id: string): Run | undefined {
    return this.live.get(id);
  }

  /**
   * Creates the run folder and starts the trainer. Throws RunInputError (bad spec) or
   * RunWriteError (folder not writable) before anything runs; later problems arrive as
   * events, ending in `exit`. Listeners attached right after this call miss nothing: the
   * process starts on the next tick.
   */
  start(spec: RunSpec, opts: StartOptions = {}): Run {
    const bad = checkRunSpec(spec);
    if (bad) throw new RunInputError(bad);
    const node = spec.trainer.kind === 'builtin' ? this.nodeBinary() : { path: '', env: {}, reason: '' };
    const entry = spec.trainer.kind === 'builtin' ? (this.opts.trainerEntry ?? defaultTrainerEntry()) : { script: '', nodeArgs: [] };
    const cwd = this.opts.cwd ?? process.cwd();
    const record = this.store.create(spec.trainer.kind === 'command' ? { ...spec, trainer: { ...spec.trainer, cwd: spec.trainer.cwd ?? cwd } } : spec);
    return this.launch(record.id, null, spec.values, node, entry, opts, []);
  }

  /**
   * Continues an interrupted, crashed or stopped run (or a completed one with a larger
   * `totalSteps`) from its last checkpoint, as a new segment of the same run.
   */
  resume(id: string, opts: ResumeOptions = {}): Run {
    if (this.live.has(id)) throw new RunInputError(`run ${id} is already running in this window`);
    const record = this.store.read(id);
    const status = effectiveStatus(record);
    if ((status === 'running' || status === 'paused' || status === 'created') && isPidAlive(record.pid ?? record.hostPid))
      throw new RunInputError(`run ${id} is still ${status} (pid ${record.pid ?? record.hostPid}); stop it before resuming`);
    // The newest whole checkpoint: a truncated, corrupted or missing newer one is passed over
    // (marked damaged in run.json) and said in a warning; the run goes back to the one before.
    const { checkpoint: last, skipped } = this.store.chooseCheckpoint(record);
    const from = last?.step ?? 0;
    if (opts.totalSteps !== undefined) {
      if (!Number.isInteger(opts.totalSteps) || opts.totalSteps <= from)
        throw new RunInputError(`--steps must be above the step being resumed from (${from}), got ${opts.totalSteps}`);
      record.spec.totalSteps = opts.totalSteps;
    } else if (status === 'completed') {
      throw new RunInputError(`run ${id} completed its ${record.spec.totalSteps} steps; give a larger --steps to continue it`);
    }
    const resumeFrom = last ? this.store.absoluteCheckpointPath(id, last.path) : null;
    const warnings = skipped.map(
      (s) =>
        `the checkpoint at step ${s.checkpoint.step} cannot be used: ${s.problem}. Resuming from ${last ? `the previous one, at step ${last.step}` : 'the start (no earlier checkpoint is whole)'}; the steps after it are trained again.`,
    );
    // A disk still full is refused here, in words, before a trainer is started.
    this.store.ensureReserve(id);
    const values: HyperparamValues = this.store.latestValues(id) ?? record.spec.values;
    record.status = 'created';
    record.message = warnings.length ? warnings.join(' ') : undefined;
    record.hostPid = process.pid;
    record.pid = null;
    this.store.write(record);
    const node = record.spec.trainer.kind === 'builtin' ? this.nodeBinary() : { path: '', env: {}, reason: '' };
    const entry = record.spec.trainer.kind === 'builtin' ? (this.opts.trainerEntry ?? defaultTrainerEntry()) : { script: '', nodeArgs: [] };
    return this.launch(id, resumeFrom ? { path: resumeFrom, step: from } : null, values, node, entry, opts, warnings);
  }

  /** Stops every live run gracefully (used on deactivate / Ctrl-C). */
  async stopAll(opts: { checkpoint?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(this.runs().map((r) => r.stop(opts)));
  }

  private launch(
    id: string,
    resumeFrom: { path: string; step: number } | null,
    values: HyperparamValues,
    node: NodeBinary,
    entry: TrainerEntry,
    opts: StartOptions,
    warnings: string[],
  ): Run {
    const attachments = [...(opts.attachments ?? []), ...(opts.copilot ? [opts.copilot] : [])];
    const record = this.store.read(id);
    const run = new Run({
      store: this.store,
      record,
      resumeFrom,
      values,
      node,
      entry,
      cwd: (record.spec.trainer.kind === 'command' ? record.spec.trainer.cwd : undefined) ?? this.opts.cwd ?? process.cwd(),
      env: this.opts.env ?? process.env,
      timeouts: { ...DEFAULT_TIMEOUTS, ...this.opts.timeouts },
      recentWindow: this.opts.recentWindow ?? 2000,
      attachments,
      warnings,
    });
    this.live.set(id, run);
    const sub: Disposable = run.once('exit', () => {
      sub.dispose();
      this.live.delete(id);
    });
    setImmediate(() => run.launch());
    this.emit('run', run);
    return run;
  }
}

// One supervised run: spawns its trainer process (one per segment), checks every line the
// trainer prints, records metrics, configuration versions and checkpoints through the
// RunStore, and tells listeners (CLI, extension, co-pilot) what happens as typed events.
// Memory stays bounded however long the run: metrics go to disk every second and only a
// fixed window of recent points is kept.

import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkValue, checkValues, type HyperparamSpec, type HyperparamValues } from '../shared/hyperparams';
import {
  CONFIG_ENV_VAR,
  type HelloMessage,
  type HostCommand,
  type IntervalMessage,
  MAX_LINE_BYTES,
  parseTrainerLine,
  PROTOCOL_ENV_VAR,
  PROTOCOL_VERSION,
  type StateMessage,
  type TrainerMessage,
  type TrainerRunConfig,
} from '../shared/protocol';
import { splitCommand } from './command-line';
import { type Disposable, TypedEmitter } from './emitter';
import { hashCheckpoint } from './checkpoint-hash';
import { isInside } from './ids';
import { appendLines, RunWriteError, terminatePartialLine } from './jsonl';
import { LineSplitter } from './lines';
import { priorIntervals } from './metrics-reader';
import type { NodeBinary } from './node-binary';
import type { RunPaths, RunStore } from './store';
import type { TrainerEntry } from './trainer-entry';
import type { CheckpointRecord, ConfigAuthor, ConfigRecord, ExitRecord, MetricPoint, RunRecord, RunStatus } from './types';

export interface RunTimeouts {
  /** The trainer must say hello within this time after starting. */
  helloMs: number;
  /** After `stop`, the trainer must exit within this time, or it is killed. */
  stopMs: number;
  /** Buffered metrics are written at least this often (and at every interval and at exit). */
  flushMs: number;
  /** Metrics events are batched over this period. */
  batchMs: number;
}

export const DEFAULT_TIMEOUTS: RunTimeouts = { helloMs: 60_000, stopMs: 15_000, flushMs: 1_000, batchMs: 250 };

/** A configuration version that was asked for and is waiting for the trainer's `applied`. */
export interface PendingConfig {
  version: number;
  /** Only the keys being changed. */
  changes: HyperparamValues;
  author: ConfigAuthor;
  reason: string;
  /** Last step known when the change was asked for. */
  requestedStep: number;
}

export interface RunExit {
  status: RunStatus;
  code: number | null;
  signal: string | null;
  step: number;
  /** What happened, in words. */
  message: string;
}

export interface RunEvents {
  /** The trainer process started. */
  spawn: { pid: number; segment: number; executable: string; reason: string; argv: string[] };
  status: { status: RunStatus; previous: RunStatus; message?: string };
  hello: HelloMessage;
  /** Metric points received since the previous batch (every `batchMs`, and at intervals and exit). */
  metrics: { points: MetricPoint[] };
  interval: IntervalMessage;
  /** A new configuration version was asked for (not yet in effect). */
  configVersion: PendingConfig;
  /** A configuration version took effect at `record.step` and was written to configs.jsonl. */
  applied: ConfigRecord;
  checkpoint: CheckpointRecord;
  /** The trainer confirmed a pause or resume (`status` changes when it is asked; this is when it
   *  took effect, and the step it stopped or went on at: no steps follow a `paused` one). */
  state: StateMessage;
  stderr: { line: string };
  /** A protocol problem (bad line, unknown message) or a non-fatal trainer error: reported, the run goes on. */
  warning: { message: string };
  exit: RunExit;
}

/** The co-pilot (or anything else) attaches to a run through this: subscribe to `interval`,
 *  call `setHyperparams(values, 'copilot', reason)` and `appendDecision(record)`. */
export interface RunAttachment {
  attach(run: Run): Disposable;
}

export interface RunLaunch {
  store: RunStore;
  record: RunRecord;
  /** The checkpoint to continue from (chosen and verified by the manager), or null. */
  resumeFrom: { path: string; step: number } | null;
  /** Said as `warning` events once the run launches (a damaged checkpoint passed over, ...). */
  warnings?: string[];
  /** Values the trainer starts with (overrides on a first start, latest version on resume). */
  values: HyperparamValues;
  node: NodeBinary;
  entry: TrainerEntry;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeouts: RunTimeouts;
  recentWindow: number;
  attachments: RunAttachment[];
}

const STDERR_KEEP = 20;
/** How often at most run.json is rewritten only because the step moved (see flush). */
const RECORD_STEP_MS = 5_000;
/** Whole checkpoints kept per run; older ones inside the run folder are deleted (pruneCheckpoints). */
export const KEEP_CHECKPOINTS = 3;
const WARNINGS_IN_FULL = 50;

export class Run extends TypedEmitter<RunEvents> {
  readonly id: string;
  readonly paths: RunPaths;
  private readonly store: RunStore;
  private record: RunRecord;
  private readonly launchOptions: RunLaunch;
  private child: ChildProcess | undefined;
  private segmentIndex = 0;

  private helloMsg: HelloMessage | undefined;
  private currentValues: HyperparamValues = {};
  private lastVersion = 0;
  private readonly pending = new Map<number, PendingConfig>();

  private metricLines: string[] = [];
  private batch: MetricPoint[] = [];
  private readonly recent: MetricPoint[] = [];
  private readonly recentReturns: number[] = [];
  private episodes = 0;
  private readonly stderrTail: string[] = [];
  private warnings = 0;

  private flushTimer: NodeJS.Timeout | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  private doneReason: 'completed' | 'stopped' | undefined;
  private fatal: string | undefined;
  private stopRequested = false;
  private helloTimedOut = false;
  private stopBeforeSpawn: { checkpoint?: boolean; timeoutMs?: number } | undefined;
  /** Asked to stop, did not, was killed: the person's wish (stopped) still describes the run. */
  private killedAfterStop = false;
  private exited = false;
  private recordDirty = false;
  private stepWrittenAt = 0;
  /** A write to the run folder failed (failWrite): nothing more is recorded as safe. */
  private writeFailed = false;
  /** Checksums of announced checkpoints being taken, in order. */
  private hashing: Promise<void> = Promise.resolve();
  private readonly attachments: Disposable[] = [];
  private resolveFinished!: (e: RunExit) => void;
  /** Resolves when the trainer process has exited and everything is written. */
  readonly finished: Promise<RunExit>;

  constructor(launch: RunLaunch) {
    super((e) => this.emit('warning', { message: `a run listener failed: ${(e as Error)?.message ?? String(e)}` }));
    this.launchOptions = launch;
    this.store = launch.store;
    this.record = launch.record;
    this.id = launch.record.id;
    this.paths = launch.store.paths(this.id);
    this.currentValues = { ...launch.values };
    this.lastVersion = launch.store.readConfigs(this.id).records.reduce((m, r) => Math.max(m, r.version), 0);
    this.finished = new Promise((r) => (this.resolveFinished = r));
    for (const a of launch.attachments) this.attachments.push(a.attach(this));
  }

  // ---- what listeners can read --------------------------------------------------------------

  get status(): RunStatus {
    return this.record.status;
  }
  get step(): number {
    return this.record.step;
  }
  get spec(): RunRecord['spec'] {
    return this.record.spec;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get space(): readonly HyperparamSpec[] {
    return this.helloMsg?.space ?? [];
  }
  get hello(): HelloMessage | undefined {
    return this.helloMsg;
  }
  /** The step this segment resumed from (0 for a first start). */
  get resumedFromStep(): number {
    return this.launchOptions.resumeFrom?.step ?? 0;
  }
  /**
   * The run's intervals before this segment's resume step, rebuilt from metrics.jsonl (none on a
   * first start): so a resumed run's co-pilot history continues instead of starting over.
   */
  priorIntervals(): Promise<IntervalMessage[]> {
    return priorIntervals(this.store, this.id, this.resumedFromStep, this.record.spec.interval).catch((e: unknown) => {
      this.warn(`could not read this run's earlier metrics for the co-pilot (${(e as Error).message}); its history starts at step ${this.resumedFromStep}`);
      return [];
    });
  }
  /** Hyperparameter values in force (as last applied). */
  get values(): HyperparamValues {
    return { ...this.currentValues };
  }
  get configVersion(): number {
    return this.lastVersion;
  }
  get episodeCount(): number {
    return this.episodes;
  }
  /** A copy of run.json as it stands. */
  snapshot(): RunRecord {
    return structuredClone(this.record);
  }
  /** The most recent metric points (at most `recentWindow`). */
  recentMetrics(): MetricPoint[] {
    return [...this.recent];
  }
  /** Returns of the most recent episodes (at most 100). */
  recentEpisodeReturns(): number[] {
    return [...this.recentReturns];
  }
  pendingConfigs(): PendingConfig[] {
    return [...this.pending.values()];
  }

  // ---- control --------------------------------------------------------------------------------

  pause(): void {
    if (this.send({ type: 'pause' })) this.setStatus('paused');
  }

  resume(): void {
    if (this.send({ type: 'resume' })) this.setStatus('running');
  }

  /** Asks for a checkpoint; resolves with it, or rejects if the trainer exits or takes too long. */
  checkpoint(timeoutMs = this.launchOptions.timeouts.stopMs): Promise<CheckpointRecord> {
    if (!this.send({ type: 'checkpoint' })) return Promise.reject(new Error(`run ${this.id} has no live trainer to checkpoint`));
    return new Promise((resolve, reject) => {
      const subs: Disposable[] = [];
      const done = (): void => {
        clearTimeout(t);
        subs.forEach((s) => s.dispose());
      };
      const t = setTimeout(() => {
        done();
        reject(new Error(`the trainer did not write a checkpoint within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      subs.push(this.once('checkpoint', (c) => (done(), resolve(c))));
      subs.push(this.once('exit', (e) => (done(), reject(new Error(`the trainer exited before checkpointing: ${e.message}`)))));
    });
  }

  /**
   * Graceful stop: the trainer checkpoints (unless `checkpoint: false`), says `done` and
   * exits; if it has not exited after `timeoutMs`, its process group is killed.
   */
  stop(opts: { checkpoint?: boolean; timeoutMs?: number } = {}): Promise<RunExit> {
    if (this.exited) return this.finished;
    if (!this.child) {
      // Not spawned yet (start() launches on the next tick): stop as soon as it is.
      this.stopBeforeSpawn ??= opts;
      return this.finished;
    }
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.send({ type: 'stop', checkpoint: opts.checkpoint !== false });
      const ms = opts.timeoutMs ?? this.launchOptions.timeouts.stopMs;
      this.killTimer = setTimeout(() => {
        if (!this.fatal) {
          this.fatal = `the trainer did not stop within ${ms / 1000} s of being asked; it was killed`;
          this.killedAfterStop = true;
        }
        this.kill();
      }, ms);
    }
    return this.finished;
  }

  /** Kills the trainer's whole process group at once (no checkpoint). */
  kill(): void {
    const pid = this.child?.pid;
    if (!pid || this.exited) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        this.child?.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /**
   * Asks for new hyperparameter values: checks them against the trainer's space (unknown
   * keys, immutable keys, wrong types, out of bounds are errors with the valid choices),
   * numbers a new configuration version and sends it. The version is written to
   * configs.jsonl when the trainer answers `applied` (event `applied`).
   */
  setHyperparams(values: HyperparamValues, author: ConfigAuthor, reason: string): PendingConfig {
    if (!this.helloMsg) throw new Error(`run ${this.id}: the trainer has not said hello yet, so its hyperparameters are not known; try again once it runs`);
    if (this.exited || !this.child) throw new Error(`run ${this.id} is not running (status ${this.status}); resume it first`);
    const c = checkValues(this.helloMsg.space, values);
    if (!c.ok) throw new Error(c.error);
    const frozen = Object.keys(c.value).filter((k) => this.helloMsg!.space.find((s) => s.name === k)?.mutable === false);
    if (frozen.length)
      throw new Error(
        `${frozen.join(', ')} cannot change mid-run (mutable: ${this.helloMsg.space
          .filter((s) => s.mutable)
          .map((s) => s.name)
          .join(', ')})`,
      );
    const p: PendingConfig = { version: ++this.lastVersion, changes: c.value, author, reason, requestedStep: this.record.step };
    this.pending.set(p.version, p);
    this.send({ type: 'set', version: p.version, values: c.value });
    this.emit('configVersion', p);
    return p;
  }

  /** Appends one co-pilot decision record to decisions.jsonl (type defined in src/copilot). */
  appendDecision(record: object): void {
    this.store.appendDecision(this.id, record);
  }

  // ---- launching ------------------------------------------------------------------------------

  /** Starts the trainer process for a new segment. Never throws: failures end as an `exit`. */
  launch(): void {
    const o = this.launchOptions;
    const r = this.record;
    this.segmentIndex = r.segments.length;
    const startStep = o.resumeFrom?.step ?? 0;
    for (const w of o.warnings ?? []) this.emit('warning', { message: w });
    // A host killed mid-append may have left half a line: end it, so this segment's first
    // line is not glued onto it (and lost with it).
    try {
      for (const f of [this.paths.metrics, this.paths.configs, this.paths.decisions]) terminatePartialLine(f);
    } catch (e) {
      if (e instanceof RunWriteError) return this.failBeforeStart(e.message);
      throw e;
    }
    let metricsOffset = 0;
    try {
      metricsOffset = statSync(this.paths.metrics).size;
    } catch {
      /* no metrics yet */
    }
    const config: TrainerRunConfig = {
      protocol: PROTOCOL_VERSION,
      runId: r.id,
      segment: this.segmentIndex,
      env: r.spec.env,
      algo: r.spec.algo,
      totalSteps: r.spec.totalSteps,
      seed: r.spec.seed,
      values: o.values,
      interval: r.spec.interval,
      checkpointEvery: r.spec.checkpointEvery,
      checkpointDir: this.paths.checkpoints,
      resumeFrom: o.resumeFrom?.path ?? null,
      backend: r.spec.backend,
      runDir: this.paths.dir,
    };
    const configPath = join(this.paths.segments, `${this.segmentIndex}.json`);
    let argv: string[];
    let extraEnv: Record<string, string> = {};
    let executableReason: string;
    if (r.spec.trainer.kind === 'builtin') {
      argv = [o.node.path, ...o.entry.nodeArgs, o.entry.script, '--config', configPath];
      extraEnv = o.node.env;
      executableReason = o.node.reason;
    } else {
      const c = splitCommand(r.spec.trainer.command);
      if (!c.ok) return this.failBeforeStart(c.error);
      argv = c.value;
      executableReason = 'user trainer command';
    }
    try {
      writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
    } catch (e) {
      return this.failBeforeStart(new RunWriteError(configPath, e).message);
    }
    r.segments.push({
      index: this.segmentIndex,
      startedAt: new Date().toISOString(),
      startStep,
      resumedFrom: o.resumeFrom?.path ?? null,
      metricsOffset,
      executable: argv[0],
      executableReason,
    });
    r.step = startStep;
    r.hostPid = process.pid;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd,
      env: { ...o.env, ...extraEnv, [CONFIG_ENV_VAR]: configPath, [PROTOCOL_ENV_VAR]: String(PROTOCOL_VERSION) },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a stop that times out kills the trainer and its children.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    child.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      this.fatal ??=
        code === 'ENOENT'
          ? `could not start the trainer: "${argv[0]}" was not found (check the command and PATH)`
          : `could not start the trainer "${argv[0]}": ${e.message}`;
      if (child.pid === undefined) this.onExit(null, null);
    });
    child.stdin!.on('error', () => {
      /* EPIPE when the trainer has gone: its exit is reported instead */
    });
    const out = new LineSplitter(MAX_LINE_BYTES, (ev) => {
      if (ev.kind === 'overlong') this.warn(`skipped a ${ev.bytes}-byte line from the trainer (limit ${MAX_LINE_BYTES} bytes), starting ${JSON.stringify(ev.head)}`);
      else if (ev.text.trim() !== '') this.onLine(ev.text);
    });
    const err = new LineSplitter(64 * 1024, (ev) => {
      const line = ev.kind === 'line' ? ev.text : `[${ev.bytes}-byte stderr line cut] ${ev.head}`;
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_KEEP) this.stderrTail.shift();
      this.emit('stderr', { line });
    });
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stdout!.on('end', () => out.end());
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.stderr!.on('end', () => err.end());
    child.on('close', (code, signal) => this.onExit(code, signal));
    if (child.pid === undefined) return; // 'error' follows
    r.pid = child.pid;
    this.setStatus('running');
    this.emit('spawn', { pid: child.pid, segment: this.segmentIndex, executable: argv[0]!, reason: executableReason, argv });
    const t = o.timeouts;
    this.helloTimer = setTimeout(() => {
      this.helloTimedOut = true;
      this.fatal ??= `the trainer did not say hello within ${t.helloMs / 1000} s of starting, so it was stopped. Check that it prints a "hello" JSON line on stdout first (see docs/protocol.md)`;
      this.kill();
    }, t.helloMs);
    this.flushTimer = setInterval(() => this.flush(), t.flushMs);
    this.batchTimer = setInterval(() => this.emitBatch(), t.batchMs);
    if (this.stopBeforeSpawn) void this.stop(this.stopBeforeSpawn);
  }

  private failBeforeStart(message: string): void {
    this.fatal = message;
    queueMicrotask(() => this.onExit(null, null));
  }

  // ---- messages from the trainer --------------------------------------------------------------

  private onLine(text: string): void {
    const c = parseTrainerLine(text);
    if (!c.ok) {
      this.warn(`skipped a trainer line: ${c.error}`);
      return;
    }
    try {
      this.onMessage(c.value);
    } catch (e) {
      if (e instanceof RunWriteError) this.failWrite(e);
      else this.warn(`could not handle a "${c.value.type}" message: ${(e as Error).message}`);
    }
  }

  private onMessage(m: TrainerMessage): void {
    if (!this.helloMsg && m.type !== 'hello' && m.type !== 'error') {
      this.warn(`"${m.type}" message before "hello" skipped`);
      return;
    }
    switch (m.type) {
      case 'hello':
        return this.onHello(m);
      case 'metrics':
        return this.onMetrics(m.step, m.scalars);
      case 'interval':
        this.record.step = Math.max(this.record.step, m.step);
        this.flush();
        this.emitBatch();
        this.emit('interval', m);
        return;
      case 'applied':
        return this.onApplied(m.version, m.step, m.values);
      case 'checkpoint':
        return this.onCheckpoint(m.path, m.step);
      case 'state':
        this.record.step = Math.max(this.record.step, m.step);
        this.setStatus(m.state);
        this.emit('state', m);
        return;
      case 'done':
        this.doneReason = m.reason;
        this.record.step = Math.max(this.record.step, m.step);
        return;
      case 'error':
        if (m.fatal) this.fatal ??= `the trainer reported a fatal error: ${m.message}`;
        else {
          // A rejected `set` comes back as a non-fatal error: its version will never apply.
          this.warn(`the trainer reported: ${m.message}`);
        }
        return;
    }
  }

  private onHello(m: HelloMessage): void {
    if (this.helloMsg) {
      this.warn('a second "hello" was skipped');
      return;
    }
    clearTimeout(this.helloTimer);
    this.helloMsg = m;
    const r = this.record;
    r.trainerName = m.trainer;
    if (m.backend) r.backend = m.backend;
    r.space = m.space;
    r.step = m.step;
    const seg = r.segments[this.segmentIndex];
    if (seg) seg.startStep = m.step;
    const unknown = Object.keys(r.spec.values).filter((k) => !m.space.some((s) => s.name === k));
    if (unknown.length) this.warn(`the trainer does not know the override${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (its hyperparameters: ${m.space.map((s) => s.name).join(', ')})`);
    if (m.env !== r.spec.env || m.algo !== r.spec.algo) this.warn(`the trainer says it runs ${m.algo} on ${m.env}, the run asked for ${r.spec.algo} on ${r.spec.env}`);
    const outside = outOfSpace(m.space, m.values);
    if (outside.length) {
      // Nothing may train on values outside the trainer's own space: stop it at once.
      this.fatal ??= `the trainer started with values outside its hyperparameter space: ${outside.join('; ')}. Fix the run's values (or the trainer's space), then start it again`;
      this.kill();
      return;
    }
    const before = this.lastVersion === 0 ? undefined : this.store.latestValues(this.id);
    const changed = diffValues(before ?? {}, m.values);
    if (!before || Object.keys(changed).length) {
      const rec: ConfigRecord = {
        version: ++this.lastVersion,
        step: m.step,
        values: m.values,
        author: before ? 'trainer' : 'initial',
        reason: before ? 'values the trainer reported when resuming differ from the last version' : 'initial configuration',
        changed,
        at: new Date().toISOString(),
      };
      this.store.appendConfig(this.id, rec);
    }
    this.currentValues = { ...m.values };
    this.store.write(r);
    this.emit('hello', m);
  }

  /**
   * A checkpoint is recorded only once every metric line received before it is on disk: a
   * resume replays the steps after the checkpoint, never those before, so a line still in the
   * buffer when the host dies would otherwise be lost for good. If that write fails (a full
   * disk), the checkpoint is not recorded and the run stops (failWrite). The host then takes its
   * own checksum of the checkpoint (streaming, off the event loop's critical path) so a resume
   * can tell whether it was truncated or corrupted since.
   */
  private onCheckpoint(path: string, step: number): void {
    this.flush();
    this.emitBatch(); // listeners, too, see the metrics before the checkpoint that covers them
    if (this.writeFailed) {
      this.warn(`the checkpoint at step ${step} was not recorded: the metrics before it could not be written`);
      return;
    }
    const rec: CheckpointRecord = { path: this.store.storedCheckpointPath(this.id, path), step, at: new Date().toISOString() };
    this.record.checkpoints.push(rec);
    this.record.step = Math.max(this.record.step, step);
    this.store.write(this.record);
    this.emit('checkpoint', rec);
    const abs = this.store.absoluteCheckpointPath(this.id, rec.path);
    this.hashing = this.hashing.then(async () => {
      try {
        const h = await hashCheckpoint(abs);
        rec.sha256 = h.sha256;
        rec.bytes = h.bytes;
        this.recordDirty = true;
        this.pruneCheckpoints();
        // onExit writes run.json once hashing is done; after a failed write, only that last write is spent.
        if (this.exited || this.writeFailed) return;
        this.store.write(this.record);
        this.recordDirty = false;
      } catch (e) {
        if (e instanceof RunWriteError) this.failWrite(e);
        else this.warn(`could not take the checksum of the checkpoint ${abs}: ${(e as Error).message}; a resume will only check that it exists`);
      }
    });
  }

  /**
   * Bounds disk use: once a new checkpoint is whole (its checksum taken), the ones older than the
   * newest KEEP_CHECKPOINTS whole ones are deleted and marked `pruned` (an off-policy checkpoint
   * holds its replay buffer, tens of MB each). Only checkpoints inside this run's own
   * checkpoints folder are deleted: a user trainer's files elsewhere are never touched. Damaged
   * ones stay, as evidence. Keeping more than one is what lets a resume fall back past a
   * checkpoint damaged later (docs/faults.md).
   */
  private pruneCheckpoints(): void {
    const whole = this.record.checkpoints.filter((c) => !c.damaged && !c.pruned && c.sha256 !== undefined);
    const cut = Math.max(0, whole.length - KEEP_CHECKPOINTS);
    const kept = new Set(whole.slice(cut).map((c) => c.path));
    for (const c of whole.slice(0, cut)) {
      const abs = this.store.absoluteCheckpointPath(this.id, c.path);
      // A trainer may write a new checkpoint over an old path: what a kept record names stays.
      if (kept.has(c.path) || !isInside(this.paths.checkpoints, abs) || abs === this.paths.checkpoints) continue;
      try {
        rmSync(abs, { recursive: true, force: true });
        c.pruned = `deleted at ${new Date().toISOString()}: only the newest ${KEEP_CHECKPOINTS} checkpoints are kept`;
      } catch (e) {
        this.warn(`could not delete the old checkpoint ${abs}: ${(e as Error).message}`);
      }
    }
  }

  private onMetrics(step: number, scalars: Record<string, number>): void {
    const p: MetricPoint = { step, scalars };
    this.metricLines.push(JSON.stringify({ step, ...scalars }));
    this.batch.push(p);
    this.recent.push(p);
    if (this.recent.length > this.launchOptions.recentWindow) this.recent.shift();
    const ret = scalars['charts/episodic_return'];
    if (ret !== undefined) {
      this.episodes++;
      this.recentReturns.push(ret);
      if (this.recentReturns.length > 100) this.recentReturns.shift();
    }
    if (step > this.record.step) {
      this.record.step = step;
      this.recordDirty = true;
    }
    // A trainer flooding metrics must not grow the buffers between timer ticks.
    if (this.metricLines.length >= 10_000) this.flush();
    if (this.batch.length >= 10_000) this.emitBatch();
  }

  private onApplied(version: number, step: number, values: HyperparamValues): void {
    const p = this.pending.get(version);
    this.pending.delete(version);
    if (!p && version <= this.lastVersion && this.store.readConfigs(this.id).records.some((r) => r.version === version)) {
      this.warn(`"applied" for version ${version}, which was already recorded, skipped`);
      return;
    }
    const full = { ...this.currentValues, ...values };
    const outside = outOfSpace(this.space, full);
    if (outside.length) this.warn(`the trainer applied version ${version} with values outside its hyperparameter space: ${outside.join('; ')}`);
    const rec: ConfigRecord = {
      version,
      step,
      values: full,
      author: p?.author ?? 'trainer',
      reason: p?.reason ?? 'changed by the trainer itself',
      changed: diffValues(this.currentValues, full),
      at: new Date().toISOString(),
    };
    if (version > this.lastVersion) this.lastVersion = version;
    this.currentValues = full;
    this.store.appendConfig(this.id, rec);
    this.emit('applied', rec);
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private warn(message: string): void {
    this.warnings++;
    if (this.warnings <= WARNINGS_IN_FULL) this.emit('warning', { message });
    else if (this.warnings % 1000 === 0) this.emit('warning', { message: `${this.warnings} protocol warnings so far; latest: ${message}` });
  }

  private stderrSummary(): string {
    return this.stderrTail.length ? `. Last lines of its stderr:\n  ${this.stderrTail.slice(-5).join('\n  ')}` : '';
  }

  private setStatus(status: RunStatus, message?: string): void {
    const previous = this.record.status;
    if (message !== undefined) this.record.message = message;
    if (previous === status && message === undefined) return;
    this.record.status = status;
    try {
      this.store.write(this.record);
    } catch (e) {
      if (e instanceof RunWriteError && !this.exited) this.failWrite(e);
    }
    if (previous !== status) this.emit('status', { status, previous, message });
  }

  /** Writes buffered metric lines (and run.json's step when it moved). */
  private flush(): void {
    if (this.writeFailed) {
      // The run is stopping after a failed write (a full disk): what arrives now lies after the
      // last recorded checkpoint, so a resume trains it again; writing it would only eat the
      // space kept to record how the run ended.
      this.metricLines = [];
      return;
    }
    if (this.metricLines.length) {
      const lines = this.metricLines;
      this.metricLines = [];
      try {
        appendLines(this.paths.metrics, lines);
      } catch (e) {
        if (e instanceof RunWriteError) this.failWrite(e);
        else throw e;
        return;
      }
    }
    // run.json for a moved step only (status, checkpoints and versions are written when they
    // happen): at most every RECORD_STEP_MS, since each write is a synchronous rename and eight
    // live runs rewriting it every second showed up as the host's biggest own cost (docs/load.md).
    if (this.recordDirty && !this.exited && !this.fatal && Date.now() - this.stepWrittenAt >= RECORD_STEP_MS) {
      this.recordDirty = false;
      this.stepWrittenAt = Date.now();
      try {
        this.store.write(this.record);
      } catch (e) {
        if (e instanceof RunWriteError) this.failWrite(e);
      }
    }
  }

  private emitBatch(): void {
    if (!this.batch.length) return;
    const points = this.batch;
    this.batch = [];
    this.emit('metrics', { points });
  }

  /** A write to the run folder failed: stop the trainer (no checkpoint: it would fail too). */
  private failWrite(e: RunWriteError): void {
    if (this.writeFailed) return;
    this.writeFailed = true;
    // A full disk: free the folder's reserve now, so run.json can still say how the run ended.
    if (e.diskFull) this.store.releaseReserve(this.id);
    this.fatal = e.message;
    this.emit('warning', { message: e.message });
    this.metricLines = [];
    if (!this.exited) void this.stop({ checkpoint: false });
  }

  private send(cmd: HostCommand): boolean {
    const stdin = this.child?.stdin;
    if (!stdin || this.exited || stdin.destroyed || !stdin.writable) return false;
    stdin.write(JSON.stringify(cmd) + '\n');
    return true;
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    clearTimeout(this.helloTimer);
    clearTimeout(this.killTimer);
    clearInterval(this.flushTimer);
    clearInterval(this.batchTimer);
    this.flush();
    this.emitBatch();
    // The checkpoints' checksums belong in the final run.json: wait for any still being taken.
    void this.hashing.then(() => this.finishExit(code, signal));
  }

  private finishExit(code: number | null, signal: NodeJS.Signals | null): void {
    const r = this.record;
    let status: RunStatus;
    let message: string;
    if (this.fatal) {
      status = this.killedAfterStop ? 'stopped' : 'crashed';
      // stderr has been read to its end by now ('close'), so the quote is complete.
      message = this.helloTimedOut ? this.fatal + this.stderrSummary() : this.fatal;
    } else if (this.doneReason === 'completed') {
      status = 'completed';
      message = `completed ${r.step} steps`;
    } else if (this.doneReason === 'stopped') {
      status = 'stopped';
      message = `stopped at step ${r.step}`;
    } else if (signal) {
      status = 'crashed';
      message = `the trainer was killed by ${signal} at step ${r.step} before finishing${signal === 'SIGKILL' ? ' (out of memory, or killed by another process)' : ''}${this.stderrSummary()}`;
    } else {
      status = 'crashed';
      message = `the trainer exited with code ${code} at step ${r.step} without saying "done"${this.stderrSummary()}`;
    }
    if (status === 'crashed' && !/the disk is full/.test(message) && this.stderrTail.some((l) => /ENOSPC|No space left on device|EDQUOT|Disk quota exceeded/.test(l)))
      message += `. The disk looks full (the trainer's stderr says so): free space in ${this.paths.dir} and resume the run`;
    if (status === 'crashed' || status === 'stopped') {
      const ck = this.store.lastCheckpoint(r);
      message = message.replace(/\.+$/, '');
      message += ck ? `. Resume from the checkpoint at step ${ck.step} with "hyperprompt runs resume ${r.id}".` : '.';
    }
    for (const p of this.pending.values()) this.warn(`configuration version ${p.version} never took effect (the trainer ended before applying it)`);
    const exit: ExitRecord = { code, signal, message };
    const seg = r.segments[this.segmentIndex];
    if (seg) {
      seg.endedAt = new Date().toISOString();
      seg.endStep = r.step;
      seg.exit = exit;
    }
    r.pid = null;
    this.setStatus(status, message);
    for (const a of this.attachments.splice(0)) a.dispose();
    const ev: RunExit = { status, code, signal, step: r.step, message };
    this.emit('exit', ev);
    this.resolveFinished(ev);
  }
}

/** In words, each value of `values` that its spec in `space` does not allow (unknown keys are not checked here). */
export function outOfSpace(space: readonly HyperparamSpec[], values: HyperparamValues): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const spec = space.find((x) => x.name === k);
    if (!spec) continue;
    const c = checkValue(spec, v);
    if (!c.ok) out.push(c.error);
  }
  return out;
}

/** Keys of `b` whose value differs from `a`. */
export function diffValues(a: HyperparamValues, b: HyperparamValues): HyperparamValues {
  const out: HyperparamValues = {};
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) out[k] = v;
  return out;
}

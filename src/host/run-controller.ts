// The host's one source of run data for every view: it starts and resumes runs through the
// RunManager, joins each to a co-pilot session, follows the active run, and turns what
// happens into the shapes the views show (RunInfo, series chunks, config versions,
// proposals). The views hold no run state of their own. No `vscode` import, so it is tested
// under plain Node against real trainer processes.

import type { Controller } from '../copilot/controllers/types';
import type { CopilotEvent, PendingProposal } from '../copilot/session';
import { downsampleMetrics } from '../runs/metrics-reader';
import type { RunManager } from '../runs/manager';
import { type Disposable, TypedEmitter } from '../runs/emitter';
import type { Run } from '../runs/run';
import type { RunSummary } from '../runs/store';
import type { ConfigRecord, MetricPoint, RunSpec, TrainerSpec } from '../runs/types';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';
import {
  type ConfigVersionInfo,
  type CopilotMode,
  type Notice,
  type PanelState,
  type ProposalInfo,
  type RunInfo,
  type SeriesChunk,
} from '../shared/webview-protocol';
import { CopilotAttachment } from './copilot-attachment';
import type { HostSettings } from './settings';

export interface StartRequest {
  env: string;
  algo: string;
  controller: string;
  mode: CopilotMode;
  totalSteps: number;
  seed: number;
  values?: HyperparamValues;
  trainer?: TrainerSpec;
  label?: string;
}

export interface RunControllerEvents {
  /** The active run changed, or its status, step or mode did. */
  run: RunInfo | null;
  metrics: { runId: string; chunks: SeriesChunk[] };
  versions: { runId: string; versions: ConfigVersionInfo[] };
  proposal: ProposalInfo | null;
  notice: Notice;
  /**
   * Something in the runs folder changed (a run started, ended, got a version): lists refresh.
   * `runId` with `kind: 'versions'` when only that run's configuration versions changed, so a
   * view can redraw that one run rather than every row.
   */
  runsChanged: { runId: string; kind: 'versions' } | undefined;
  /** A line for the output channel. */
  log: string;
}

export interface RunControllerOptions {
  manager: RunManager;
  settings: () => HostSettings;
  /** Makes the controller a run asks for (the host passes the copilot factory, or the vscode.lm one). */
  makeController: (name: string, settings: HostSettings) => Controller;
}

interface Live {
  run: Run;
  copilot: CopilotAttachment;
  subs: Disposable[];
  recentReturn?: number;
  bestReturn?: number;
}

/** "CartPole-v1 · ppo · 7f3a": short enough for a status bar. */
export function runLabel(env: string, algo: string, id: string, label?: string): string {
  return label ? label : `${env} · ${algo} · ${id.slice(-6)}`;
}

export function toVersionInfo(r: ConfigRecord): ConfigVersionInfo {
  return { version: r.version, step: r.step, values: r.values, author: r.author, reason: r.reason };
}

/** Metric points (one object per step) to per-key chunks (plain arrays for postMessage). */
export function pointsToChunks(points: readonly MetricPoint[]): SeriesChunk[] {
  const byKey = new Map<string, SeriesChunk>();
  for (const p of points) {
    for (const [k, v] of Object.entries(p.scalars)) {
      let c = byKey.get(k);
      if (!c) byKey.set(k, (c = { key: k, steps: [], values: [] }));
      c.steps.push(p.step);
      c.values.push(v);
    }
  }
  return [...byKey.values()];
}

export function proposalInfo(p: PendingProposal, runId: string, step: number): ProposalInfo {
  const notes = new Map<string, string>();
  for (const n of p.safety) if (n.result !== undefined) notes.set(n.key, n.message);
  return {
    id: p.id,
    runId,
    step,
    controller: p.fallback ? `${p.controller} (fallback: ${p.fallback.reason})` : p.controller,
    changes: Object.entries(p.values).map(([name, to]) => ({ name, from: p.current[name] ?? to, to, note: notes.get(name) })),
    rationale: p.rationale,
    confidence: p.confidence !== undefined && p.confidence >= 0 && p.confidence <= 1 ? p.confidence : undefined,
  };
}

const RETURN_KEY = 'charts/episodic_return';

export class RunController extends TypedEmitter<RunControllerEvents> {
  private readonly live = new Map<string, Live>();
  private activeId: string | undefined;
  private proposalNow: ProposalInfo | null = null;

  constructor(private readonly o: RunControllerOptions) {
    super();
  }

  get manager(): RunManager {
    return this.o.manager;
  }

  get activeRunId(): string | undefined {
    return this.activeId;
  }

  activeRun(): Run | undefined {
    return this.activeId ? this.live.get(this.activeId)?.run : undefined;
  }

  liveRun(id: string): Run | undefined {
    return this.live.get(id)?.run;
  }

  listRuns(): { runs: RunSummary[]; problems: string[] } {
    return this.o.manager.store.list();
  }

  start(req: StartRequest): Run {
    const s = this.o.settings();
    const spec: RunSpec = {
      env: req.env,
      algo: req.algo,
      totalSteps: req.totalSteps,
      seed: req.seed,
      values: req.values ?? {},
      interval: s.interval,
      checkpointEvery: s.checkpointEvery,
      backend: s.backend === 'auto' ? undefined : s.backend,
      trainer: req.trainer ?? { kind: 'builtin' },
      label: req.label,
    };
    const copilot = this.attachment(req.controller, req.mode);
    const run = this.o.manager.start(spec, { copilot });
    this.follow(run, copilot);
    return run;
  }

  resume(id: string, controller: string, mode: CopilotMode, totalSteps?: number): Run {
    const copilot = this.attachment(controller, mode);
    const run = this.o.manager.resume(id, { copilot, totalSteps });
    this.follow(run, copilot);
    return run;
  }

  private attachment(controllerName: string, mode: CopilotMode): CopilotAttachment {
    const s = this.o.settings();
    const controller = this.o.makeController(controllerName, s);
    let self: CopilotAttachment | undefined;
    const att = new CopilotAttachment({
      controller,
      mode,
      safety: { maxLogFactor: s.maxChangeFactor, maxLinearFraction: 0.1 },
      late: { maxIntervals: s.proposalStaleness },
      decisionLog: s.decisionLog,
      onEvent: (e) => this.onCopilotEvent(self!, e),
    });
    self = att;
    return att;
  }

  private follow(run: Run, copilot: CopilotAttachment): void {
    const live: Live = { run, copilot, subs: [] };
    this.live.set(run.id, live);
    const isActive = (): boolean => this.activeId === run.id;
    const s = live.subs;
    s.push(run.on('status', (e) => {
      this.log(`[${run.id}] ${e.previous} → ${e.status}${e.message ? `: ${e.message}` : ''}`);
      if (isActive()) this.emit('run', this.runInfo(run.id));
      this.emit('runsChanged', undefined);
    }));
    s.push(run.on('metrics', ({ points }) => {
      for (const p of points) {
        const r = p.scalars[RETURN_KEY];
        if (r !== undefined) live.bestReturn = Math.max(live.bestReturn ?? -Infinity, r);
      }
      if (!isActive()) return;
      this.emit('metrics', { runId: run.id, chunks: pointsToChunks(points) });
      this.emit('run', this.runInfo(run.id));
    }));
    s.push(run.on('interval', (m) => {
      if (m.episodeReturns.length) live.recentReturn = m.episodeReturns.reduce((a, b) => a + b, 0) / m.episodeReturns.length;
    }));
    s.push(run.on('hello', (h) => {
      this.log(`[${run.id}] trainer ${h.trainer} on ${h.backend ?? 'unknown backend'}: ${h.algo} on ${h.env} from step ${h.step}`);
      if (isActive()) this.emitVersions(run.id);
    }));
    s.push(run.on('applied', (rec) => {
      this.log(`[${run.id}] version ${rec.version} at step ${rec.step} by ${rec.author}: ${JSON.stringify(rec.changed ?? rec.values)}`);
      if (isActive()) this.emitVersions(run.id);
      this.emit('runsChanged', { runId: run.id, kind: 'versions' });
    }));
    s.push(run.on('spawn', (e) => this.log(`[${run.id}] trainer pid ${e.pid}, segment ${e.segment}: ${e.executable} (${e.reason})`)));
    s.push(run.on('stderr', (e) => this.log(`[${run.id}] ${e.line}`)));
    s.push(run.on('warning', (e) => this.log(`[${run.id}] warning: ${e.message}`)));
    s.push(run.on('exit', (e) => {
      this.log(`[${run.id}] ended ${e.status} at step ${e.step}: ${e.message}`);
      if (e.status === 'crashed') this.emit('notice', { level: 'error', text: `Run ${run.id} crashed: ${e.message}` });
      s.forEach((d) => d.dispose());
      this.live.delete(run.id);
      if (this.proposalNow?.runId === run.id) this.setProposal(null);
      if (isActive()) this.emit('run', this.runInfo(run.id));
      this.emit('runsChanged', undefined);
    }));
    this.activeId = run.id;
    this.setProposal(null);
    this.emit('run', this.runInfo(run.id));
    this.emit('runsChanged', undefined);
  }

  private onCopilotEvent(att: CopilotAttachment, e: CopilotEvent): void {
    const entry = [...this.live.values()].find((l) => l.copilot === att);
    const runId = entry?.run.id ?? '?';
    switch (e.type) {
      case 'pending':
        this.log(`[${runId}] proposal ${e.proposal.id} from ${e.proposal.controller}: ${JSON.stringify(e.proposal.values)}`);
        this.setProposal(proposalInfo(e.proposal, runId, att.stepOf(e.proposal) ?? entry?.run.step ?? 0));
        break;
      case 'resolved':
        if (this.proposalNow?.id === e.record.id) this.setProposal(null);
        break;
      case 'applied':
        this.log(`[${runId}] co-pilot applied ${JSON.stringify(e.values)} (${e.reason})`);
        break;
      case 'fallback':
        this.emit('notice', { level: 'warning', text: `Interval ${e.interval}: ${e.reason}; the ${e.controller} controller decided instead.` });
        break;
      case 'message':
        this.log(`[${runId}] co-pilot: ${e.text}`);
        break;
      case 'mode':
        if (this.activeId === runId) this.emit('run', this.runInfo(runId));
        break;
      case 'thinking':
        break;
    }
  }

  private setProposal(p: ProposalInfo | null): void {
    this.proposalNow = p;
    this.emit('proposal', p);
  }

  get proposal(): ProposalInfo | null {
    return this.proposalNow;
  }

  private log(line: string): void {
    this.emit('log', line);
  }

  /** Makes another run the one the side panel follows (live or finished). */
  setActive(id: string | undefined): void {
    this.activeId = id;
    this.emit('run', id ? this.runInfo(id) : null);
    this.setProposal([...this.live.values()].find((l) => l.run.id === id && l.copilot.session?.pending) ? this.pendingOf(id!) : null);
  }

  private pendingOf(id: string): ProposalInfo | null {
    const l = this.live.get(id);
    const p = l?.copilot.session?.pending;
    return l && p ? proposalInfo(p, id, l.copilot.stepOf(p) ?? l.run.step) : null;
  }

  runInfo(id: string): RunInfo | null {
    const l = this.live.get(id);
    if (l) {
      const r = l.run;
      return {
        id: r.id,
        label: runLabel(r.spec.env, r.spec.algo, r.id, r.spec.label),
        env: r.spec.env,
        algo: r.spec.algo,
        controller: l.copilot.controllerName,
        mode: l.copilot.mode,
        status: r.status,
        step: r.step,
        totalSteps: r.spec.totalSteps,
        recentReturn: l.recentReturn,
        bestReturn: l.bestReturn !== undefined && Number.isFinite(l.bestReturn) ? l.bestReturn : undefined,
      };
    }
    try {
      const rec = this.o.manager.store.read(id);
      const sum = this.o.manager.store.summarise(rec);
      return {
        id,
        label: runLabel(rec.spec.env, rec.spec.algo, id, rec.spec.label),
        env: rec.spec.env,
        algo: rec.spec.algo,
        controller: '—',
        mode: 'off',
        status: sum.status,
        step: rec.step,
        totalSteps: rec.spec.totalSteps,
      };
    } catch {
      return null;
    }
  }

  versions(id: string): ConfigVersionInfo[] {
    try {
      return this.o.manager.store.readConfigs(id).records.map(toVersionInfo);
    } catch {
      return [];
    }
  }

  space(id: string): HyperparamSpec[] {
    const l = this.live.get(id);
    if (l && l.run.space.length) return [...l.run.space];
    try {
      return this.o.manager.store.read(id).space ?? [];
    } catch {
      return [];
    }
  }

  private emitVersions(id: string): void {
    this.emit('versions', { runId: id, versions: this.versions(id) });
  }

  /** Series of a run for a snapshot: read from disk, at most `maxPoints` per series, in bounded memory. */
  async series(id: string, maxPoints: number): Promise<SeriesChunk[]> {
    try {
      const { series } = await downsampleMetrics(this.o.manager.store, id, { maxPoints });
      return series.map((s) => ({ key: s.key, steps: s.steps, values: s.values }));
    } catch {
      return [];
    }
  }

  /** Everything the side panel shows, for its `ready`. */
  async panelState(trusted: boolean): Promise<PanelState> {
    const s = this.o.settings();
    const id = this.activeId;
    const base: PanelState = {
      run: null,
      space: [],
      versions: [],
      series: [],
      proposal: null,
      defaultMode: s.defaultMode,
      pointBudget: s.chartPointBudget,
      trusted,
    };
    if (!id) return base;
    // Points arriving while the file is read are kept and appended after it (the webview drops
    // any it already has, by step).
    const during: MetricPoint[] = [];
    const sub = this.liveRun(id)?.on('metrics', ({ points }) => during.push(...points));
    // Read more than the budget: Chart.js' decimation picks the drawn points from these.
    const series = await this.series(id, s.chartPointBudget * 4);
    sub?.dispose();
    const tail = pointsToChunks(during);
    for (const t of tail) {
      const c = series.find((x) => x.key === t.key);
      if (!c) series.push(t);
      else {
        const last = c.steps[c.steps.length - 1] ?? -1;
        t.steps.forEach((st, i) => {
          if (st > last) (c.steps.push(st), c.values.push(t.values[i]!));
        });
      }
    }
    return { ...base, run: this.runInfo(id), space: this.space(id), versions: this.versions(id), series, proposal: this.proposalNow?.runId === id ? this.proposalNow : null };
  }

  // ---- actions (commands and the panel call these) -------------------------------------

  private requireActive(): Live {
    const l = this.activeId ? this.live.get(this.activeId) : undefined;
    if (!l) throw new Error('there is no running HyperPrompt run in this window: start one with "HyperPrompt: Start Run"');
    return l;
  }

  pause(): void {
    this.requireActive().run.pause();
  }

  resumeActive(): void {
    this.requireActive().run.resume();
  }

  async stop(id?: string): Promise<void> {
    const l = id ? this.live.get(id) : this.requireActive();
    if (!l) throw new Error(`run ${id} is not running in this window`);
    await l.run.stop();
  }

  setMode(mode: CopilotMode): void {
    const l = this.activeId ? this.live.get(this.activeId) : undefined;
    if (!l) return;
    l.copilot.setMode(mode);
    if (mode === 'off' && this.proposalNow?.runId === l.run.id) this.setProposal(null);
    this.emit('run', this.runInfo(l.run.id));
  }

  private pendingSession(proposalId: string): Live {
    const l = [...this.live.values()].find((x) => x.copilot.session?.pending?.id === proposalId);
    if (!l) throw new Error(`proposal ${proposalId} is no longer pending (it was answered, withdrawn, or its run ended)`);
    return l;
  }

  async accept(proposalId: string): Promise<HyperparamValues | null> {
    return this.pendingSession(proposalId).copilot.session!.accept(proposalId);
  }

  async edit(proposalId: string, values: HyperparamValues): Promise<{ values: HyperparamValues; notes: string[] } | null> {
    const r = await this.pendingSession(proposalId).copilot.session!.edit(values, proposalId);
    return r ? { values: r.values, notes: r.notes.map((n) => n.message) } : null;
  }

  reject(proposalId: string): void {
    this.pendingSession(proposalId).copilot.session!.reject(proposalId);
  }

  /** A person's live edit: checked against the trainer's space by the run, authored `user`. */
  editHyperparameters(values: HyperparamValues, reason = 'edited by the user'): void {
    this.requireActive().run.setHyperparams(values, 'user', reason);
  }

  /** Sets the mutable values of an earlier version again, as a new version. */
  revertTo(runId: string, version: number): HyperparamValues {
    const l = this.live.get(runId);
    if (!l) throw new Error(`run ${runId} is not running in this window; resume it first to change its configuration`);
    const target = this.versions(runId).find((v) => v.version === version);
    if (!target) throw new Error(`run ${runId} has no configuration version ${version}`);
    const now = l.run.values;
    const mutable = new Set(l.run.space.filter((s) => s.mutable).map((s) => s.name));
    const changes: HyperparamValues = {};
    for (const [k, v] of Object.entries(target.values)) if (mutable.has(k) && now[k] !== v) changes[k] = v;
    if (!Object.keys(changes).length) throw new Error(`the values in force already equal version ${version}`);
    l.run.setHyperparams(changes, 'user', `revert to version ${version}`);
    return changes;
  }

  async dispose(): Promise<void> {
    await this.o.manager.stopAll({ checkpoint: true });
    this.removeAllListeners();
  }
}

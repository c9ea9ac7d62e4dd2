// A co-pilot session for one run: it receives the trainer's interval messages, asks the
// controller in the background (training never waits for it), passes every proposal through
// the safety rules and then, by mode: `off` does nothing, `auto` applies at once through the
// `apply` callback (revertible), `ask` holds a pending proposal until a person accepts, edits
// (the edit passes the same rules) or rejects it. Every decision becomes a DecisionRecord,
// written when the first interval after it resolves has ended (its mean return is the
// "return after"). The runs layer supplies `apply` (config version + `set`) and the writer.

import type { IntervalMessage } from '../shared/protocol';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';
import type { Controller, ControllerOutput } from './controllers/types';
import { type CopilotMode, type DecidedBy, type DecisionLogLevel, type DecisionOutcomeKind, type DecisionRecord, type DecisionWriter, redactDecision } from './decisions';
import type { DemonstrationStore } from './fewshot';
import { demonstrationReply } from './fewshot';
import { plainText } from './proposal';
import { DEFAULT_SAFETY, type SafetyNote, type SafetyOptions, clampProposal } from './safety';
import { TrainingHistory, type TrainingSummary, summaryFeatures } from './summary';

/** What to do with a proposal that arrives after one or more further intervals have ended. */
export interface LatePolicy {
  /** `apply`: use it now (it takes effect in the next interval); `drop`: discard it as stale. */
  policy: 'apply' | 'drop';
  /** Proposals later than this many intervals are dropped either way. */
  maxIntervals: number;
}

export const DEFAULT_LATE: LatePolicy = { policy: 'apply', maxIntervals: 2 };

export interface PendingProposal {
  id: string;
  interval: number;
  controller: string;
  /** After the safety rules, relative to the values in force when it arrived. */
  values: HyperparamValues;
  current: HyperparamValues;
  rationale: string;
  confidence?: number;
  safety: SafetyNote[];
  fallback: { controller: string; reason: string } | null;
}

export type CopilotEvent =
  | { type: 'thinking'; interval: number }
  | { type: 'pending'; proposal: PendingProposal }
  | { type: 'applied'; record: DecisionRecord; values: HyperparamValues; reason: string }
  | { type: 'resolved'; record: DecisionRecord }
  | { type: 'fallback'; interval: number; controller: string; reason: string }
  | { type: 'message'; text: string }
  | { type: 'mode'; mode: CopilotMode };

export interface CopilotSessionOptions {
  controller: Controller;
  mode: CopilotMode;
  algo: string;
  env: string;
  space: readonly HyperparamSpec[];
  /** The values in force at the start (the trainer's hello). */
  values: HyperparamValues;
  totalSteps?: number | null;
  /** Makes the change real: the runs layer writes a config version and sends `set`. */
  apply: (values: HyperparamValues, reason: string) => void | Promise<void>;
  writer?: DecisionWriter;
  /** How much of each record the writer gets (default `full`; `off`: the writer gets nothing). */
  decisionLog?: DecisionLogLevel;
  safety?: SafetyOptions;
  late?: Partial<LatePolicy>;
  windowIntervals?: number;
  /** Decisions followed by a gain are added here as their outcome becomes known. */
  demonstrations?: DemonstrationStore;
  onEvent?: (e: CopilotEvent) => void;
  /** Intervals to wait for an interval with finished episodes before writing `returnAfter: null`. */
  outcomeWaitIntervals?: number;
  now?: () => number;
}

function meanOf(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export class CopilotSession {
  private modeNow: CopilotMode;
  private valuesNow: HyperparamValues;
  private readonly history: TrainingHistory;
  private currentInterval = -1;
  private lastSummary: TrainingSummary | undefined;
  private inFlightInterval = -1;
  private inFlight: Promise<void> | undefined;
  private pendingNow: { proposal: PendingProposal; record: DecisionRecord } | undefined;
  /** Resolved records waiting for their `returnAfter`. */
  private readonly awaiting: { record: DecisionRecord; waited: number }[] = [];
  /** Applied records that can still be reverted (most recent last). */
  private readonly appliedRecords: DecisionRecord[] = [];
  private readonly reverted = new Set<string>();
  private readonly abort = new AbortController();
  private readonly safety: SafetyOptions;
  private readonly late: LatePolicy;
  private readonly now: () => number;
  private seq = 0;
  private closed = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly o: CopilotSessionOptions) {
    this.modeNow = o.mode;
    this.valuesNow = { ...o.values };
    this.history = new TrainingHistory(o.algo, o.env, o.totalSteps ?? null, o.windowIntervals ?? 5);
    this.safety = o.safety ?? DEFAULT_SAFETY;
    this.late = { ...DEFAULT_LATE, ...o.late };
    this.now = o.now ?? (() => performance.now());
  }

  get mode(): CopilotMode {
    return this.modeNow;
  }

  get values(): HyperparamValues {
    return { ...this.valuesNow };
  }

  get pending(): PendingProposal | undefined {
    return this.pendingNow?.proposal;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  describeController(): Record<string, unknown> {
    return this.o.controller.describe();
  }

  private emit(e: CopilotEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch {
      // A listener's bug must not break the session (or training).
    }
  }

  private message(text: string): void {
    this.emit({ type: 'message', text });
  }

  /** Values changed outside the co-pilot (a person's edit, a resumed run): later proposals start from these. */
  setValues(values: HyperparamValues): void {
    this.valuesNow = { ...this.valuesNow, ...values };
  }

  setMode(mode: CopilotMode): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    if (mode === 'off' && this.pendingNow) {
      const { record } = this.pendingNow;
      this.pendingNow = undefined;
      this.resolve(record, 'withdrawn', null, null);
    }
    this.emit({ type: 'mode', mode });
  }

  /**
   * Intervals from before this session (a resumed run's earlier segments, rebuilt from its
   * metrics): they fill the history — the window of returns, the best so far, the baseline of
   * the scale-free features — without a decision. Call before the first `onInterval`; later
   * calls are ignored, as they would be out of order.
   */
  prime(intervals: readonly IntervalMessage[]): void {
    if (this.closed || this.currentInterval >= 0) return;
    for (const m of intervals) this.history.push(m);
  }

  /**
   * The end of an interval. Returns at once: the controller runs in the background, and
   * at most one decision is in flight (an interval that ends meanwhile only updates the history).
   */
  onInterval(msg: IntervalMessage): void {
    if (this.closed) return;
    this.currentInterval = msg.index;
    const summary = this.history.push(msg);
    this.lastSummary = summary;
    this.settleOutcomes(msg);
    if (this.modeNow === 'off') return;
    if (this.inFlight) {
      this.message(`interval ${msg.index}: the ${this.o.controller.name} controller is still working on interval ${this.inFlightInterval}; no new decision`);
      return;
    }
    if (this.pendingNow) {
      this.message(`interval ${msg.index}: the proposal from interval ${this.pendingNow.proposal.interval} still waits for an answer; no new decision`);
      return;
    }
    this.inFlightInterval = summary.interval;
    const started = this.now();
    this.emit({ type: 'thinking', interval: summary.interval });
    this.inFlight = this.decide(summary, started).finally(() => {
      this.inFlight = undefined;
    });
  }

  /** Resolves when no decision is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    await this.writes;
  }

  private newRecord(summary: TrainingSummary, features: number[]): DecisionRecord {
    return {
      id: `d${summary.interval}-${++this.seq}`,
      interval: summary.interval,
      step: summary.step,
      time: new Date().toISOString(),
      controller: this.o.controller.name,
      mode: this.modeNow,
      prompt: null,
      rawReply: null,
      proposal: null,
      failure: null,
      fallback: null,
      safety: [],
      proposed: {},
      applied: null,
      previous: null,
      outcome: 'failed',
      decidedBy: null,
      latencyMs: 0,
      lateIntervals: 0,
      resolvedAtInterval: null,
      returnBefore: summary.returns.mean,
      returnAfter: null,
      features,
      messages: [],
    };
  }

  private async decide(summary: TrainingSummary, started: number): Promise<void> {
    const features = summaryFeatures(summary, this.o.space);
    const record = this.newRecord(summary, features);
    let out: ControllerOutput;
    try {
      out = await this.o.controller.decide({ summary, space: this.o.space, values: { ...this.valuesNow }, features, signal: this.abort.signal });
    } catch (e) {
      // Controllers report failures as values; an exception is a bug, still never fatal to training.
      out = { proposal: null, failure: { kind: 'error', message: `the ${this.o.controller.name} controller threw: ${(e as Error).message}` } };
    }
    record.latencyMs = Math.round(this.now() - started);
    record.lateIntervals = Math.max(0, this.currentInterval - summary.interval);
    record.prompt = out.prompt ?? null;
    record.rawReply = out.rawReply ?? null;
    record.proposal = out.proposal;
    record.failure = out.failure ?? null;
    record.fallback = out.fallback ? { controller: out.fallback.controller, reason: out.fallback.reason } : null;
    record.messages.push(...(out.messages ?? []));
    if (out.ignoredKeys?.length) record.messages.push(`ignored reply keys outside the schema: ${out.ignoredKeys.join(', ')}`);
    for (const m of out.messages ?? []) this.message(m);
    if (out.fallback) this.emit({ type: 'fallback', interval: summary.interval, controller: out.fallback.controller, reason: out.fallback.reason });
    if (this.closed) {
      this.resolve(record, 'withdrawn', null, null);
      return;
    }
    if (!out.proposal) {
      this.message(`interval ${summary.interval}: no proposal (${out.failure?.kind ?? 'error'}: ${out.failure?.message ?? 'unknown'})`);
      this.resolve(record, 'failed', null, null);
      return;
    }
    const safe = clampProposal(out.proposal.changes, this.o.space, this.valuesNow, this.safety);
    record.safety = safe.notes;
    record.proposed = safe.values;
    if (record.lateIntervals > this.late.maxIntervals || (record.lateIntervals > 0 && this.late.policy === 'drop')) {
      this.message(`interval ${summary.interval}: the proposal arrived ${record.lateIntervals} interval(s) late; dropped as stale`);
      this.resolve(record, 'stale', null, null);
      return;
    }
    if (record.lateIntervals > 0) this.message(`interval ${summary.interval}: the proposal arrived ${record.lateIntervals} interval(s) late; applying it now`);
    if (Object.keys(safe.values).length === 0) {
      this.resolve(record, 'no-change', null, null);
      return;
    }
    if (this.modeNow === 'auto') {
      await this.applyRecord(record, safe.values, out.fallback ? 'fallback' : 'auto', 'applied');
      return;
    }
    if (this.modeNow === 'off') {
      this.resolve(record, 'withdrawn', null, null);
      return;
    }
    const proposal: PendingProposal = {
      id: record.id,
      interval: summary.interval,
      controller: out.fallback ? out.fallback.controller : this.o.controller.name,
      values: safe.values,
      current: { ...this.valuesNow },
      rationale: plainText(out.proposal.rationale),
      confidence: out.proposal.confidence,
      safety: safe.notes,
      fallback: record.fallback,
    };
    this.pendingNow = { proposal, record };
    this.emit({ type: 'pending', proposal });
  }

  private reasonFor(record: DecisionRecord, decidedBy: DecidedBy, kind: DecisionOutcomeKind): string {
    const who = record.fallback ? `${record.fallback.controller} (fallback for ${record.controller})` : record.controller;
    const what = kind === 'edited' ? 'edited and accepted' : kind === 'accepted' ? 'accepted' : kind === 'revert' ? 'reverted' : 'applied';
    // The model's words go to disk (the config version's reason) only when the decision log keeps them too.
    const why = record.proposal && (this.o.decisionLog ?? 'full') === 'full' ? `: ${plainText(record.proposal.rationale, 300)}` : '';
    return `co-pilot ${who}, interval ${record.interval}, ${what} by ${decidedBy}${why}`;
  }

  private async applyRecord(record: DecisionRecord, values: HyperparamValues, decidedBy: DecidedBy, kind: DecisionOutcomeKind, reason?: string): Promise<boolean> {
    const previous: HyperparamValues = {};
    for (const k of Object.keys(values)) if (this.valuesNow[k] !== undefined) previous[k] = this.valuesNow[k]!;
    const why = reason ?? this.reasonFor(record, decidedBy, kind);
    try {
      await this.o.apply({ ...values }, why);
    } catch (e) {
      record.messages.push(`applying failed: ${(e as Error).message}`);
      this.message(`interval ${record.interval}: applying the proposal failed: ${(e as Error).message}`);
      this.resolve(record, 'failed', null, null);
      return false;
    }
    this.valuesNow = { ...this.valuesNow, ...values };
    record.previous = previous;
    this.resolve(record, kind, values, decidedBy);
    this.appliedRecords.push(record);
    while (this.appliedRecords.length > 50) this.appliedRecords.shift();
    this.emit({ type: 'applied', record, values: { ...values }, reason: why });
    return true;
  }

  private resolve(record: DecisionRecord, outcome: DecisionOutcomeKind, applied: HyperparamValues | null, decidedBy: DecidedBy | null): void {
    record.outcome = outcome;
    record.applied = applied;
    record.decidedBy = decidedBy;
    record.resolvedAtInterval = this.currentInterval;
    this.awaiting.push({ record, waited: 0 });
    this.history.noteDecision({
      interval: record.interval,
      step: record.step,
      changes: applied ?? {},
      decidedBy: decidedBy ?? outcome,
      returnBefore: record.returnBefore,
      returnAfter: null,
    });
    this.emit({ type: 'resolved', record });
  }

  /** Fills `returnAfter` of decisions resolved before this interval and writes them. */
  private settleOutcomes(msg: IntervalMessage): void {
    const ret = meanOf(msg.episodeReturns);
    const wait = this.o.outcomeWaitIntervals ?? 3;
    for (let i = 0; i < this.awaiting.length; ) {
      const a = this.awaiting[i]!;
      if (a.record.resolvedAtInterval !== null && a.record.resolvedAtInterval >= msg.index) {
        i++;
        continue;
      }
      a.waited++;
      if (ret === null && a.waited < wait) {
        i++;
        continue;
      }
      a.record.returnAfter = ret;
      this.awaiting.splice(i, 1);
      this.finish(a.record);
    }
  }

  private finish(record: DecisionRecord): void {
    this.history.noteDecision({
      interval: record.interval,
      step: record.step,
      changes: record.applied ?? {},
      decidedBy: record.decidedBy ?? record.outcome,
      returnBefore: record.returnBefore,
      returnAfter: record.returnAfter,
    });
    if (this.o.demonstrations && record.applied && record.prompt && record.features && record.returnBefore !== null && record.returnAfter !== null) {
      const gain = record.returnAfter - record.returnBefore;
      this.o.demonstrations.add({ user: record.prompt.user, reply: demonstrationReply(record.applied, gain), features: record.features, gain });
    }
    const writer = this.o.writer;
    if (!writer) return;
    const snapshot = redactDecision(record, this.o.decisionLog ?? 'full');
    if (!snapshot) return;
    this.writes = this.writes
      .then(() => writer.write(snapshot))
      .catch((e: unknown) => this.message(`could not write decision ${record.id}: ${(e as Error).message}`));
  }

  private takePending(id?: string): { proposal: PendingProposal; record: DecisionRecord } {
    const p = this.pendingNow;
    if (!p) throw new Error('there is no pending proposal to answer');
    if (id !== undefined && p.proposal.id !== id) throw new Error(`proposal ${id} is no longer pending (pending: ${p.proposal.id})`);
    this.pendingNow = undefined;
    return p;
  }

  /** Ask mode: apply the pending proposal as it is (re-checked against the values in force now). */
  async accept(id?: string): Promise<HyperparamValues | null> {
    const { proposal, record } = this.takePending(id);
    const safe = clampProposal(proposal.values, this.o.space, this.valuesNow, this.safety);
    if (Object.keys(safe.values).length === 0) {
      this.resolve(record, 'no-change', null, 'user');
      return null;
    }
    return (await this.applyRecord(record, safe.values, 'user', 'accepted')) ? safe.values : null;
  }

  /** Ask mode: apply a person's edit of the pending proposal; it passes the same safety rules. */
  async edit(values: Record<string, unknown>, id?: string): Promise<{ values: HyperparamValues; notes: SafetyNote[] } | null> {
    const { record } = this.takePending(id);
    const safe = clampProposal(values, this.o.space, this.valuesNow, this.safety);
    record.safety = [...record.safety, ...safe.notes.map((n) => ({ ...n, message: `edit: ${n.message}` }))];
    record.messages.push(`edited by a person: ${JSON.stringify(values)}`);
    if (Object.keys(safe.values).length === 0) {
      this.resolve(record, 'no-change', null, 'user');
      return { values: {}, notes: safe.notes };
    }
    const ok = await this.applyRecord(record, safe.values, 'user', 'edited');
    return ok ? { values: safe.values, notes: safe.notes } : null;
  }

  /** Ask mode: discard the pending proposal. */
  reject(id?: string): void {
    const { record } = this.takePending(id);
    this.resolve(record, 'rejected', null, 'user');
  }

  /** Decisions that applied a change and can be reverted, most recent last. */
  revertible(): DecisionRecord[] {
    return this.appliedRecords.filter((r) => r.outcome !== 'revert' && !this.reverted.has(r.id));
  }

  /** Restores the values an applied decision replaced (a new decision, decided by the user). */
  async revert(id: string): Promise<HyperparamValues | null> {
    const target = this.appliedRecords.find((r) => r.id === id);
    if (!target || !target.previous) throw new Error(`decision ${id} applied nothing that can be reverted`);
    const record = this.revertRecord();
    record.messages.push(`revert of decision ${id}`);
    const safe = clampProposal(target.previous, this.o.space, this.valuesNow, this.safety);
    record.safety = safe.notes;
    record.proposed = safe.values;
    if (Object.keys(safe.values).length === 0) {
      this.resolve(record, 'no-change', null, 'user');
      return null;
    }
    const ok = await this.applyRecord(record, safe.values, 'user', 'revert', `revert of co-pilot decision ${id} (interval ${target.interval}) by user`);
    if (ok) this.reverted.add(id);
    return ok ? safe.values : null;
  }

  private revertRecord(): DecisionRecord {
    const at = this.lastSummary;
    return {
      id: `r${at?.interval ?? 0}-${++this.seq}`,
      interval: at?.interval ?? 0,
      step: at?.step ?? 0,
      time: new Date().toISOString(),
      controller: 'user',
      mode: this.modeNow,
      prompt: null,
      rawReply: null,
      proposal: null,
      failure: null,
      fallback: null,
      safety: [],
      proposed: {},
      applied: null,
      previous: null,
      outcome: 'revert',
      decidedBy: 'user',
      latencyMs: 0,
      lateIntervals: 0,
      resolvedAtInterval: null,
      returnBefore: at?.returns.mean ?? null,
      returnAfter: null,
      features: null,
      messages: [],
    };
  }

  /** Stops the session: cancels a decision in flight, withdraws a pending one, writes every record left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.pendingNow) {
      const { record } = this.pendingNow;
      this.pendingNow = undefined;
      this.resolve(record, 'withdrawn', null, null);
    }
    while (this.inFlight) await this.inFlight;
    for (const a of this.awaiting.splice(0)) this.finish(a.record);
    await this.writes;
  }
}

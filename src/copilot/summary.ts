// Training-state summaries: the meta-state a controller sees at the end of each K-step
// interval. Built from the trainer's `interval` messages (src/shared/protocol.ts), rendered
// two ways: compact deterministic text for LLM prompts, and a numeric feature vector (layout
// in `featureNames`) for learned controllers.

import type { IntervalMessage, Scalars } from '../shared/protocol';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';

/** The algorithm diagnostics a summary carries, under stable short names. */
export const DIAGNOSTIC_KEYS = [
  'policyLoss',
  'valueLoss',
  'entropy',
  'approxKl',
  'clipFraction',
  'explainedVariance',
  'gradNorm',
  'qValues',
  'tdError',
  'alpha',
] as const;
export type DiagnosticKey = (typeof DIAGNOSTIC_KEYS)[number];
export type Diagnostics = Partial<Record<DiagnosticKey, number>>;

// Trainers name scalars CleanRL-style (`losses/approx_kl`); user trainers may use other
// spellings, so each diagnostic accepts a few aliases, first match wins.
const DIAGNOSTIC_ALIASES: Record<DiagnosticKey, string[]> = {
  policyLoss: ['losses/policy_loss', 'losses/pg_loss', 'losses/actor_loss', 'policy_loss'],
  valueLoss: ['losses/value_loss', 'losses/critic_loss', 'losses/qf_loss', 'value_loss'],
  entropy: ['losses/entropy', 'entropy'],
  approxKl: ['losses/approx_kl', 'approx_kl'],
  clipFraction: ['losses/clipfrac', 'losses/clip_fraction', 'clip_fraction'],
  explainedVariance: ['losses/explained_variance', 'explained_variance'],
  gradNorm: ['losses/grad_norm', 'grad_norm'],
  qValues: ['losses/q_values', 'losses/qf_values', 'q_values'],
  tdError: ['losses/td_error', 'td_error'],
  alpha: ['losses/alpha', 'alpha'],
};

export function pickDiagnostics(scalars: Scalars): Diagnostics {
  const out: Diagnostics = {};
  for (const key of DIAGNOSTIC_KEYS) {
    for (const alias of DIAGNOSTIC_ALIASES[key]) {
      const v = scalars[alias];
      if (typeof v === 'number' && Number.isFinite(v)) {
        out[key] = v;
        break;
      }
    }
  }
  return out;
}

export interface ReturnStats {
  /** Episodes in the window (the last `windowIntervals` intervals). */
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Least-squares slope of episode return against env step, per 1,000 steps. */
  slopePer1k: number | null;
  /** Best interval-mean return seen so far in the run. */
  bestSoFar: number | null;
  /** Mean return of the episodes that finished in this interval alone. */
  lastInterval: number | null;
  /** Episodes finished in this interval, and in the whole run so far. */
  episodesThisInterval: number;
  episodesTotal: number;
}

/** A past decision and what followed it: the meta-reward the proposal's meta-MDP learns from. */
export interface DecisionOutcome {
  interval: number;
  step: number;
  /** The values that changed (after the safety rules); empty when nothing was applied. */
  changes: HyperparamValues;
  decidedBy: string;
  returnBefore: number | null;
  returnAfter: number | null;
}

export interface TrainingSummary {
  algo: string;
  env: string;
  interval: number;
  step: number;
  totalSteps: number | null;
  /** step / totalSteps in [0, 1], or null without a budget. */
  progress: number | null;
  sps: number;
  returns: ReturnStats;
  diagnostics: Diagnostics;
  values: HyperparamValues;
  recentDecisions: DecisionOutcome[];
  /** Where the run started (absent in summaries from before it existed): see `RunBaseline`. */
  baseline?: RunBaseline;
}

/**
 * Where the run started, for features that must not depend on the environment's reward scale
 * (a learned controller trained on CartPole's 10..500 returns reads Acrobot's -500..-60 as
 * nonsense): the return mean and spread of the first interval in which episodes finished, and
 * the first policy entropy reported. Null until seen.
 */
export interface RunBaseline {
  returnMean: number | null;
  returnStd: number | null;
  entropy: number | null;
}

export interface SummaryContext {
  algo: string;
  env: string;
  totalSteps?: number | null;
  /** Episode returns of the window, oldest first, each with the (approximate) step it ended at. */
  window: { step: number; ret: number }[];
  bestSoFar: number | null;
  episodesTotal: number;
  recentDecisions: DecisionOutcome[];
  baseline?: RunBaseline;
}

function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function std(xs: readonly number[]): number | null {
  const m = mean(xs);
  if (m === null) return null;
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/** Least-squares slope of y on x; null with fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const mx = mean(points.map((p) => p.x))!;
  const my = mean(points.map((p) => p.y))!;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/**
 * Builds the summary of one interval from the interval message and the running context
 * (kept by `TrainingHistory`). Pure: the same inputs give the same summary.
 */
export function summariseInterval(interval: IntervalMessage, ctx: SummaryContext): TrainingSummary {
  const rets = ctx.window.map((w) => w.ret);
  const s = slope(ctx.window.map((w) => ({ x: w.step, y: w.ret })));
  const totalSteps = ctx.totalSteps && ctx.totalSteps > 0 ? ctx.totalSteps : null;
  return {
    algo: ctx.algo,
    env: ctx.env,
    interval: interval.index,
    step: interval.step,
    totalSteps,
    progress: totalSteps ? Math.min(1, interval.step / totalSteps) : null,
    sps: interval.sps,
    returns: {
      count: rets.length,
      mean: mean(rets),
      std: std(rets),
      min: rets.length ? Math.min(...rets) : null,
      max: rets.length ? Math.max(...rets) : null,
      slopePer1k: s === null ? null : s * 1000,
      bestSoFar: ctx.bestSoFar,
      lastInterval: mean(interval.episodeReturns),
      episodesThisInterval: interval.episodeReturns.length,
      episodesTotal: ctx.episodesTotal,
    },
    diagnostics: pickDiagnostics(interval.diagnostics),
    values: { ...interval.values },
    recentDecisions: ctx.recentDecisions.map((d) => ({ ...d, changes: { ...d.changes } })),
    ...(ctx.baseline ? { baseline: { ...ctx.baseline } } : {}),
  };
}

/**
 * Keeps what a summary needs across intervals: the window of recent episode returns, the best
 * interval mean so far, the episode count and the last few decisions with their outcomes.
 */
export class TrainingHistory {
  private readonly intervals: { step: number; prevStep: number; returns: number[] }[] = [];
  private best: number | null = null;
  private episodes = 0;
  private lastStep = 0;
  private readonly decisions: DecisionOutcome[] = [];
  private readonly baseline: RunBaseline = { returnMean: null, returnStd: null, entropy: null };

  constructor(
    readonly algo: string,
    readonly env: string,
    readonly totalSteps: number | null = null,
    /** How many intervals the return window spans. */
    readonly windowIntervals = 5,
    /** How many past decisions a summary lists. */
    readonly decisionsShown = 3,
  ) {}

  /** Adds an interval and returns its summary. */
  push(interval: IntervalMessage): TrainingSummary {
    this.intervals.push({ step: interval.step, prevStep: this.lastStep, returns: interval.episodeReturns });
    while (this.intervals.length > this.windowIntervals) this.intervals.shift();
    this.lastStep = interval.step;
    this.episodes += interval.episodeReturns.length;
    const m = mean(interval.episodeReturns);
    if (m !== null && (this.best === null || m > this.best)) this.best = m;
    if (this.baseline.returnMean === null && m !== null) {
      this.baseline.returnMean = m;
      this.baseline.returnStd = std(interval.episodeReturns);
    }
    const entropy = pickDiagnostics(interval.diagnostics).entropy;
    if (this.baseline.entropy === null && entropy !== undefined && Number.isFinite(entropy)) this.baseline.entropy = entropy;
    // Episodes carry no step of their own: spread them evenly over their interval.
    const window: { step: number; ret: number }[] = [];
    for (const iv of this.intervals) {
      const n = iv.returns.length;
      iv.returns.forEach((ret, i) => window.push({ step: iv.prevStep + ((i + 1) / n) * (iv.step - iv.prevStep), ret }));
    }
    return summariseInterval(interval, {
      algo: this.algo,
      env: this.env,
      totalSteps: this.totalSteps,
      window,
      bestSoFar: this.best,
      episodesTotal: this.episodes,
      recentDecisions: this.decisions.slice(-this.decisionsShown),
      baseline: this.baseline,
    });
  }

  /** Records (or updates, by interval and step) a decision's outcome for later summaries. */
  noteDecision(outcome: DecisionOutcome): void {
    const i = this.decisions.findIndex((d) => d.interval === outcome.interval && d.step === outcome.step);
    if (i >= 0) this.decisions[i] = outcome;
    else this.decisions.push(outcome);
    while (this.decisions.length > 20) this.decisions.shift();
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering 1: compact deterministic text for prompts.

/** Four significant digits, no exponent for ordinary magnitudes; `n/a` for missing. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(4)));
  return v.toExponential(3).replace(/\.?0+e/, 'e');
}

function fmtValue(v: HyperparamValues[string]): string {
  return typeof v === 'number' ? fmt(v) : String(v);
}

function fmtChanges(c: HyperparamValues): string {
  const keys = Object.keys(c).sort();
  return keys.length ? keys.map((k) => `${k}=${fmtValue(c[k]!)}`).join(', ') : 'no change';
}

/** The user message of a prompt: one fact per line, keys sorted, numbers to 4 significant digits. */
export function renderSummaryText(s: TrainingSummary): string {
  const r = s.returns;
  const lines: string[] = [];
  lines.push(`algo: ${s.algo}  env: ${s.env}`);
  lines.push(
    `interval ${s.interval}, step ${s.step}${s.totalSteps ? ` of ${s.totalSteps} (${fmt((s.progress ?? 0) * 100)}%)` : ''}, ${fmt(s.sps)} steps/s`,
  );
  lines.push(
    `return over last ${r.count} episodes: mean ${fmt(r.mean)}, std ${fmt(r.std)}, min ${fmt(r.min)}, max ${fmt(r.max)}, trend ${fmt(r.slopePer1k)} per 1k steps`,
  );
  lines.push(
    `this interval: ${r.episodesThisInterval} episodes, mean return ${fmt(r.lastInterval)}; best interval mean so far ${fmt(r.bestSoFar)}; ${r.episodesTotal} episodes in total`,
  );
  const diag = DIAGNOSTIC_KEYS.filter((k) => s.diagnostics[k] !== undefined).map((k) => `${k} ${fmt(s.diagnostics[k])}`);
  lines.push(`diagnostics: ${diag.length ? diag.join(', ') : 'none yet'}`);
  lines.push(`hyperparameters: ${fmtChanges(s.values)}`);
  if (s.recentDecisions.length === 0) lines.push('recent decisions: none');
  else {
    lines.push('recent decisions (oldest first):');
    for (const d of s.recentDecisions) {
      const gain = d.returnBefore !== null && d.returnAfter !== null ? d.returnAfter - d.returnBefore : null;
      lines.push(
        `- interval ${d.interval} (${d.decidedBy}): ${fmtChanges(d.changes)}; return ${fmt(d.returnBefore)} -> ${fmt(d.returnAfter)} (change ${fmt(gain)})`,
      );
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Rendering 2: a numeric feature vector for learned controllers.

/** Signed log scale: keeps sign, compresses magnitude, finite for every input. */
export function symlog(x: number): number {
  return Math.sign(x) * Math.log1p(Math.abs(x));
}

/** Position of a value in its spec's range, in [0, 1] (log scale where the spec says so). */
export function normalisedPosition(spec: HyperparamSpec, v: unknown): number {
  if (spec.type === 'bool') return v === true ? 1 : 0;
  if (spec.type === 'choice') {
    const choices = spec.choices ?? [];
    const i = choices.findIndex((c) => c === v);
    return choices.length > 1 && i >= 0 ? i / (choices.length - 1) : 0;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || spec.min === undefined || spec.max === undefined || spec.max === spec.min) return 0;
  const t =
    spec.scale === 'log' && spec.min > 0
      ? (Math.log(Math.max(v, spec.min)) - Math.log(spec.min)) / (Math.log(spec.max) - Math.log(spec.min))
      : (v - spec.min) / (spec.max - spec.min);
  return Math.min(1, Math.max(0, t));
}

const FIXED_FEATURES = [
  'progress',
  'has_budget',
  'return_mean',
  'return_std',
  'return_min',
  'return_max',
  'return_slope_per_1k',
  'return_best_so_far',
  'return_last_interval',
  'episodes_this_interval',
  'sps',
] as const;

/**
 * Features without the environment's reward scale, so a model trained on one environment can
 * be read on another: return statistics in units of the return spread (the window's, or the
 * run's first interval's if larger), and entropy as a fraction of the run's first. `has_rel`
 * is 0 until episodes have finished (Acrobot's first 500-step episodes end after the first
 * interval of its preset), when the `rel_` values are 0.
 */
export const SCALE_FREE_FEATURES = ['has_rel', 'rel_improvement', 'rel_trend', 'rel_vs_best', 'rel_last', 'entropy_ratio'] as const;

/**
 * The feature vector's layout: the fixed part, then for each diagnostic its value and a
 * presence flag, then each hyperparameter's normalised position in its range (space order),
 * then the last decision's return change, then the scale-free features. Learned controllers
 * key on these names.
 */
export function featureNames(space: readonly HyperparamSpec[]): string[] {
  return [
    ...FIXED_FEATURES,
    ...DIAGNOSTIC_KEYS.flatMap((k) => [`diag_${k}`, `has_${k}`]),
    ...space.map((p) => `hp_${p.name}`),
    'last_decision_gain',
    ...SCALE_FREE_FEATURES,
  ];
}

/** `SCALE_FREE_FEATURES` of a summary, in that order (symlog'd, so every value is finite). */
export function scaleFreeFeatures(s: TrainingSummary): number[] {
  const r = s.returns;
  const b = s.baseline;
  const entropy = s.diagnostics.entropy;
  const entropyRatio = b && b.entropy !== null && b.entropy > 0 && entropy !== undefined && Number.isFinite(entropy) ? entropy / b.entropy : 0;
  if (r.mean === null || r.count < 1) return [0, 0, 0, 0, 0, symlog(entropyRatio)];
  // The spread: the window's or the start's, whichever is larger, floored at 1% of the return's
  // magnitude (Acrobot's failing episodes all return -500: a spread of 0).
  const scale = Math.max(r.std ?? 0, b?.returnStd ?? 0, 0.01 * Math.max(1, Math.abs(r.mean)));
  const perInterval = s.step / (s.interval + 1);
  const rel = (x: number | null | undefined): number => (x === null || x === undefined || !Number.isFinite(x) ? 0 : symlog(x / scale));
  return [
    1,
    rel(b && b.returnMean !== null ? r.mean - b.returnMean : null),
    rel(r.slopePer1k === null ? null : (r.slopePer1k * perInterval) / 1000),
    rel(r.bestSoFar === null ? null : r.mean - r.bestSoFar),
    rel(r.lastInterval === null ? null : r.lastInterval - r.mean),
    symlog(entropyRatio),
  ];
}

/**
 * Returns, losses and rates pass through `symlog`; missing values are 0 with their presence
 * flag 0; every entry is finite.
 */
export function summaryFeatures(s: TrainingSummary, space: readonly HyperparamSpec[]): number[] {
  const r = s.returns;
  const z = (v: number | null | undefined): number => (v === null || v === undefined || !Number.isFinite(v) ? 0 : symlog(v));
  const out: number[] = [
    s.progress ?? 0,
    s.progress === null ? 0 : 1,
    z(r.mean),
    z(r.std),
    z(r.min),
    z(r.max),
    z(r.slopePer1k),
    z(r.bestSoFar),
    z(r.lastInterval),
    z(r.episodesThisInterval),
    z(s.sps),
  ];
  for (const k of DIAGNOSTIC_KEYS) {
    const v = s.diagnostics[k];
    out.push(z(v), v === undefined ? 0 : 1);
  }
  for (const p of space) out.push(normalisedPosition(p, s.values[p.name]));
  const last = s.recentDecisions[s.recentDecisions.length - 1];
  out.push(last && last.returnBefore !== null && last.returnAfter !== null ? z(last.returnAfter - last.returnBefore) : 0);
  out.push(...scaleFreeFeatures(s));
  return out;
}

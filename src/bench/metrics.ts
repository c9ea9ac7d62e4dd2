// Per-run metrics, computed from a run's stream of finished episodes (return and the env
// step at which each ended). Definitions (also in docs/bench.md):
//
// - Running mean return at step s: the mean return of the last `window` (20) episodes that
//   finished at or before s. Before the first episode ends it is the env's random-policy
//   reference return: the agent has shown nothing better yet.
// - Normalised score of a return R: (R - random) / (threshold - random), with the env's
//   reference returns (random policy; Gymnasium's reward threshold, or a stated one).
//   0 is a random policy, 1 the threshold; not clipped, so beating the threshold shows.
// - Normalised area under the learning curve (AUC): the mean normalised running mean
//   return over a fixed grid of `points` (100) steps, budget·i/points for i = 1..points.
//   The grid depends only on the step budget, so runs of one task are comparable; grid
//   points past a run's last step carry its last running mean (a run that stopped early
//   keeps the policy it had).
// - Final return: mean return of the episodes that finished in the last 10% of the budget
//   (step ≥ 0.9·budget); if none did (long episodes, tiny budget), the running mean at the
//   end of the run; null when no episode finished at all.
// - Steps to threshold: the first step at which the mean of the last `window` episode
//   returns (a full window) reached the threshold, or null.

export interface EpisodePoint {
  /** Env step (of this run, not counting any extra steps a population spends) at which the episode ended. */
  step: number;
  return: number;
}

export interface ReferenceReturns {
  /** Mean return of a uniform random policy. */
  random: number;
  /** Return at which the task counts as solved (Gymnasium's reward threshold where it has one). */
  threshold: number;
}

export interface CurveOptions {
  /** The run's step budget; the grid spans (0, budget]. */
  budget: number;
  /** Grid points (default 100). */
  points?: number;
  /** Episodes in the running mean (default 20). */
  window?: number;
}

export const DEFAULT_WINDOW = 20;
export const DEFAULT_POINTS = 100;

export function normalise(ret: number, ref: ReferenceReturns): number {
  const span = ref.threshold - ref.random;
  if (!(span > 0)) throw new RangeError(`reference returns need threshold (${ref.threshold}) above random (${ref.random})`);
  return (ret - ref.random) / span;
}

/** Episodes sorted by the step at which they ended (stable for equal steps). */
function byStep(episodes: readonly EpisodePoint[]): EpisodePoint[] {
  return episodes
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.step - b.e.step || a.i - b.i)
    .map((x) => x.e);
}

export function gridSteps(budget: number, points = DEFAULT_POINTS): number[] {
  if (!(budget > 0)) throw new RangeError(`the step budget must be positive, got ${budget}`);
  if (!Number.isInteger(points) || points < 1) throw new RangeError(`grid points must be a positive integer, got ${points}`);
  return Array.from({ length: points }, (_, i) => (budget * (i + 1)) / points);
}

/** Running mean return (raw, not normalised) at each grid step; `fallback` before any episode. */
export function runningMeanCurve(episodes: readonly EpisodePoint[], options: CurveOptions, fallback: number): number[] {
  const window = options.window ?? DEFAULT_WINDOW;
  const sorted = byStep(episodes);
  const grid = gridSteps(options.budget, options.points ?? DEFAULT_POINTS);
  const out: number[] = [];
  let k = 0; // episodes with step <= current grid step
  for (const g of grid) {
    while (k < sorted.length && sorted[k]!.step <= g) k++;
    if (k === 0) {
      out.push(fallback);
      continue;
    }
    const from = Math.max(0, k - window);
    let s = 0;
    for (let i = from; i < k; i++) s += sorted[i]!.return;
    out.push(s / (k - from));
  }
  return out;
}

/** Normalised learning curve on the grid: what the report plots and the AUC averages. */
export function normalisedCurve(episodes: readonly EpisodePoint[], ref: ReferenceReturns, options: CurveOptions): number[] {
  return runningMeanCurve(episodes, options, ref.random).map((r) => normalise(r, ref));
}

export function normalisedAuc(episodes: readonly EpisodePoint[], ref: ReferenceReturns, options: CurveOptions): number {
  const c = normalisedCurve(episodes, ref, options);
  return c.reduce((a, b) => a + b, 0) / c.length;
}

export function finalReturn(episodes: readonly EpisodePoint[], budget: number, options: { fraction?: number; window?: number } = {}): number | null {
  if (episodes.length === 0) return null;
  const fraction = options.fraction ?? 0.1;
  const from = budget * (1 - fraction);
  const last = episodes.filter((e) => e.step >= from);
  if (last.length > 0) return last.reduce((a, e) => a + e.return, 0) / last.length;
  const sorted = byStep(episodes);
  const tail = sorted.slice(-(options.window ?? DEFAULT_WINDOW));
  return tail.reduce((a, e) => a + e.return, 0) / tail.length;
}

export function stepsToThreshold(episodes: readonly EpisodePoint[], threshold: number, window = DEFAULT_WINDOW): number | null {
  const sorted = byStep(episodes);
  let s = 0;
  for (let i = 0; i < sorted.length; i++) {
    s += sorted[i]!.return;
    if (i >= window) s -= sorted[i - window]!.return;
    if (i + 1 >= window && s / window >= threshold) return sorted[i]!.step;
  }
  return null;
}

/** What the runner knows about one finished job, besides its episodes. */
export interface RunAccounting {
  /** Step budget of the run (per agent). */
  budget: number;
  wallSeconds: number;
  /** Time spent deciding hyperparameters: controller calls, PBT's exploit/explore, the oracle's branches. */
  controllerSeconds: number;
  /** Hyperparameter changes applied after the initial configuration. */
  changes: number;
  /** Every env step the method consumed: all population members, lookahead branches, search trials. */
  envSteps: number;
  /** Mean return of evaluation episodes with the deterministic policy, when they were run. */
  evalReturn?: number | null;
}

export interface RunMetrics {
  auc: number;
  finalReturn: number | null;
  /** Final return on the normalised scale (null when no episode finished). */
  finalScore: number | null;
  evalReturn: number | null;
  stepsToThreshold: number | null;
  episodes: number;
  wallSeconds: number;
  controllerSeconds: number;
  changes: number;
  envSteps: number;
}

export function computeRunMetrics(episodes: readonly EpisodePoint[], ref: ReferenceReturns, run: RunAccounting, options: Omit<CurveOptions, 'budget'> = {}): RunMetrics {
  const opts: CurveOptions = { ...options, budget: run.budget };
  const fin = finalReturn(episodes, run.budget, { window: options.window });
  return {
    auc: normalisedAuc(episodes, ref, opts),
    finalReturn: fin,
    finalScore: fin === null ? null : normalise(fin, ref),
    evalReturn: run.evalReturn ?? null,
    stepsToThreshold: stepsToThreshold(episodes, ref.threshold, options.window ?? DEFAULT_WINDOW),
    episodes: episodes.length,
    wallSeconds: run.wallSeconds,
    controllerSeconds: run.controllerSeconds,
    changes: run.changes,
    envSteps: run.envSteps,
  };
}

/**
 * Episodes from a run's metric records (decoded lines of metrics.jsonl, or trainer
 * messages). Reads `{"step", "charts/episodic_return"}` records (flat, or with `scalars`),
 * and `interval` records with `episodeReturns` (credited to the interval's end step) only
 * when the stream has no per-episode records, so a stream carrying both is not counted
 * twice. Anything else is skipped: the stream also carries losses and diagnostics.
 */
export function episodesFromRecords(records: Iterable<unknown>): EpisodePoint[] {
  const perEpisode: EpisodePoint[] = [];
  const fromIntervals: EpisodePoint[] = [];
  for (const r of records) {
    if (!isScalarsRecord(r)) continue;
    const step = r.step;
    if (typeof step !== 'number' || !Number.isFinite(step)) continue;
    const ret = r['charts/episodic_return'] ?? (isScalarsRecord(r.scalars) ? r.scalars['charts/episodic_return'] : undefined);
    if (typeof ret === 'number' && Number.isFinite(ret)) perEpisode.push({ step, return: ret });
    if (Array.isArray(r.episodeReturns))
      for (const x of r.episodeReturns) if (typeof x === 'number' && Number.isFinite(x)) fromIntervals.push({ step, return: x });
  }
  return perEpisode.length > 0 ? perEpisode : fromIntervals;
}

function isScalarsRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

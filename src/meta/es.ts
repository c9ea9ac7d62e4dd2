// Refining the embedded controller by evolution strategies on the meta-reward (the issue's
// optional step; the temporally-aware algorithm-discovery work found ES finds dynamic
// schedules where meta-gradients fail). The meta-reward of a weights vector θ is the mean
// normalised AUC of short training runs driven by the embedded controller with θ, from the
// tuned start and from poor ones (a bench suite's static jobs give the tasks, starts and
// seeds). Each generation draws `pairs` directions ε and scores θ + σε and θ − σε (antithetic
// sampling) on the same runs (common random numbers: the same seeds for every candidate),
// shapes the 2·pairs scores into centred ranks, and steps θ along
// Σ (rank(θ+σε) − rank(θ−σε)) ε / (2·pairs·σ) (OpenAI-ES, Salimans et al. 2017).
//
// `scope: 'output'` perturbs only the last layer (weights and biases: how strongly each
// hidden feature votes for each step), a few hundred numbers that a few dozen perturbations
// can move; 'all' perturbs every layer. Runs are the bench's own in-process path: the
// engine's algorithm in a TrackedAlgo, the co-pilot's CopilotSession in auto mode (so every
// proposal passes the safety rules, as in a real run).

import type { Engine } from '../bench/job';
import { normalisedAuc } from '../bench/metrics';
import type { BenchJob } from '../bench/suite';
import { TrackedAlgo } from '../bench/tracked';
import { EmbeddedController, type EmbeddedWeights } from '../copilot/controllers/embedded';
import { CopilotSession } from '../copilot/session';
import { Rng } from '../rl/rng';

export interface EsOptions {
  generations: number;
  pairs: number;
  sigma: number;
  /** Step size on θ per generation (the update is already divided by σ). */
  learningRate: number;
  scope: 'output' | 'all';
  seed: number;
}

export const DEFAULT_ES: EsOptions = { generations: 3, pairs: 8, sigma: 0.1, learningRate: 0.05, scope: 'output', seed: 0 };

/** Indices of (layer, 'w' | 'b') arrays in scope, in a fixed order. */
function slots(w: EmbeddedWeights, algo: string, scope: EsOptions['scope']): { layer: number; key: 'w' | 'b' }[] {
  const m = w.models[algo];
  if (!m) throw new Error(`the weights have no network for ${algo} (they have: ${Object.keys(w.models).join(', ')}); train one with "hyperprompt meta train" first`);
  const layers = scope === 'output' ? [m.layers.length - 1] : m.layers.map((_, i) => i);
  return layers.flatMap((layer) => [
    { layer, key: 'w' as const },
    { layer, key: 'b' as const },
  ]);
}

/** θ: the weights in scope, flattened. */
export function flatten(w: EmbeddedWeights, algo: string, scope: EsOptions['scope']): Float64Array {
  const m = w.models[algo]!;
  return Float64Array.from(slots(w, algo, scope).flatMap((s) => m.layers[s.layer]![s.key]));
}

/** A copy of `w` with the weights in scope replaced by θ. */
export function withTheta(w: EmbeddedWeights, algo: string, scope: EsOptions['scope'], theta: ArrayLike<number>): EmbeddedWeights {
  const out: EmbeddedWeights = JSON.parse(JSON.stringify(w)) as EmbeddedWeights;
  const m = out.models[algo]!;
  let k = 0;
  for (const s of slots(out, algo, scope)) {
    const arr = m.layers[s.layer]![s.key];
    for (let i = 0; i < arr.length; i++) arr[i] = theta[k++]!;
  }
  if (k !== theta.length) throw new Error(`θ has ${theta.length} numbers, the weights in scope ${k}`);
  return out;
}

/** Normalised AUC of one run of `job` (a static job of a bench suite), driven by the embedded controller with `weights` (null: static). */
export async function runAuc(engine: Engine, job: BenchJob, weights: EmbeddedWeights | null): Promise<number> {
  const { env, algo } = job.task;
  const steps = job.task.steps;
  const ref = job.task.reference;
  const a = await engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed, totalSteps: steps });
  const t = new TrackedAlgo(a);
  const session = weights
    ? new CopilotSession({ controller: new EmbeddedController({ weights }), mode: 'auto', algo, env, space: a.space, values: a.values(), totalSteps: steps, apply: (v) => t.set(v, 'embedded') })
    : undefined;
  try {
    let index = 0;
    while (t.step < steps) {
      await t.trainUntil(Math.min(steps, (Math.floor(t.step / job.interval) + 1) * job.interval));
      if (t.step >= steps) break;
      const msg = t.takeInterval(index++);
      if (session) {
        session.onInterval(msg);
        await session.idle();
      }
    }
  } finally {
    await session?.close();
    a.dispose();
  }
  return normalisedAuc(t.episodes, ref, { budget: steps });
}

/** Centred ranks in [−0.5, 0.5] (ties share their mean rank). */
export function centredRanks(xs: readonly number[]): number[] {
  const n = xs.length;
  if (n < 2) return xs.map(() => 0);
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  return ranks.map((r) => r / (n - 1) - 0.5);
}

export interface EsGeneration {
  generation: number;
  /** Meta-reward of every candidate: [θ+σε₁, θ−σε₁, θ+σε₂, ...]. */
  scores: number[];
  meanScore: number;
  stepNorm: number;
  cpuSeconds: number;
}

export interface EsResult {
  weights: EmbeddedWeights;
  history: EsGeneration[];
  /** Meta-reward of the starting and the final θ on the same runs, and of static (no controller). */
  before: number;
  after: number;
  staticScore: number;
}

/** Mean meta-reward of `weights` over `jobs`. */
export async function metaReward(engine: Engine, jobs: readonly BenchJob[], weights: EmbeddedWeights | null): Promise<number> {
  let s = 0;
  for (const j of jobs) s += await runAuc(engine, j, weights);
  return s / jobs.length;
}

function gaussian(rng: Rng): number {
  const u = Math.max(1e-12, rng.uniform(0, 1));
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform(0, 1));
}

/** Runs ES from `base` on `jobs` (bench static jobs); `log` gets one line per generation. */
export async function evolve(engine: Engine, base: EmbeddedWeights, algo: string, jobs: readonly BenchJob[], o: EsOptions = DEFAULT_ES, log: (line: string) => void = () => {}): Promise<EsResult> {
  if (jobs.length === 0) throw new Error('ES needs at least one run per candidate: the suite expanded to no static jobs');
  const rng = new Rng(o.seed);
  let theta = flatten(base, algo, o.scope);
  const history: EsGeneration[] = [];
  const staticScore = await metaReward(engine, jobs, null);
  const before = await metaReward(engine, jobs, base);
  log(`es: ${theta.length} weights in scope (${o.scope}); ${jobs.length} runs per candidate; meta-reward static ${staticScore.toFixed(4)}, start ${before.toFixed(4)}`);
  for (let g = 0; g < o.generations; g++) {
    const cpu0 = process.cpuUsage();
    const eps: Float64Array[] = [];
    const scores: number[] = [];
    for (let p = 0; p < o.pairs; p++) {
      const e = Float64Array.from(theta, () => gaussian(rng));
      eps.push(e);
      for (const sign of [1, -1]) scores.push(await metaReward(engine, jobs, withTheta(base, algo, o.scope, theta.map((v, i) => v + sign * o.sigma * e[i]!))));
    }
    const ranks = centredRanks(scores);
    const step = new Float64Array(theta.length);
    for (let p = 0; p < o.pairs; p++) {
      const w = ranks[2 * p]! - ranks[2 * p + 1]!;
      for (let i = 0; i < theta.length; i++) step[i] += (w * eps[p]![i]!) / (2 * o.pairs * o.sigma);
    }
    theta = theta.map((v, i) => v + o.learningRate * step[i]!);
    const c = process.cpuUsage(cpu0);
    const gen: EsGeneration = {
      generation: g,
      scores,
      meanScore: scores.reduce((a, b) => a + b, 0) / scores.length,
      stepNorm: o.learningRate * Math.hypot(...step),
      cpuSeconds: (c.user + c.system) / 1e6,
    };
    history.push(gen);
    log(`es: generation ${g + 1}/${o.generations}: candidates mean ${gen.meanScore.toFixed(4)} (best ${Math.max(...scores).toFixed(4)}), step ‖Δθ‖ ${gen.stepNorm.toFixed(4)}, ${gen.cpuSeconds.toFixed(1)} s CPU`);
  }
  const weights = withTheta(base, algo, o.scope, theta);
  const after = await metaReward(engine, jobs, weights);
  log(`es: meta-reward after ${after.toFixed(4)} (start ${before.toFixed(4)}, static ${staticScore.toFixed(4)})`);
  weights.provenance = { ...(base.provenance ?? {}), es: { options: o, runs: jobs.map((j) => j.id), staticScore, before, after, history } };
  return { weights, history, before, after, staticScore };
}

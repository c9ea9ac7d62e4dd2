// `embedded`: a small learned controller that ships with the project and needs no server.
// A multilayer perceptron reads the summary's feature vector (summary.ts, `summaryFeatures`)
// and gives, for each hyperparameter it knows, a distribution over multiplicative steps
// (`factors`, e.g. ×{0.5, 0.8, 1, 1.25, 2}). It proposes at most one change per decision:
// the parameter whose most likely non-unit step beats "keep" by the widest margin — the
// oracle lookahead it was trained on (src/meta) changes one parameter at a time too.
//
// Inference is plain TypeScript on a JSON weights file (models/embedded/weights.json):
// the co-pilot layer may not import tfjs, and a forward pass of a net this size takes
// microseconds. Training (tfjs) lives in src/meta; `hyperprompt meta train` writes the file.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Check, describeValue, fail, isRecord, ok } from '../../shared/guards';
import { type HyperparamSpec, type HyperparamValues, findSpec, stepValue } from '../../shared/hyperparams';
import { featureNames, fmt } from '../summary';
import type { Controller, ControllerInput, ControllerOutput } from './types';

export const EMBEDDED_FORMAT = 'hyperprompt-embedded/1';

/** One dense layer, row-major: `w[o * inputs + i]`. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  w: number[];
  b: number[];
}

/** The network for one algorithm. */
export interface EmbeddedAlgoModel {
  /** Feature names in the order the network reads them (matched to the live layout by name). */
  features: string[];
  /** Standardisation applied to the features before the first layer. */
  mean: number[];
  std: number[];
  /** Hidden layers use tanh; the last layer's outputs are `params.length × factors.length` logits. */
  layers: DenseLayer[];
  /** The hyperparameters the heads decide, in head order. */
  params: string[];
  /**
   * Optional: the range of some features over the training examples. Outside it (any gated
   * feature below its min or above its max) the network extrapolates — a net trained on the
   * first third of runs, asked at 80% of one, kept dividing the learning rate by 3 — so the
   * controller keeps every value there. Absent: no gate (files from before it).
   */
  ranges?: Record<string, [number, number]>;
  /**
   * Optional: the environments of the training examples. On any other (but `validatedEnvs`,
   * and those of a fallback network) the controller keeps every value: models trained on
   * CartPole alone, raw or scale-free features alike, took PPO's tuned start on Acrobot from
   * AUC 0.41 to 0.00 and on Pendulum from 0.62 to 0.10 (bench/results/meta/cross-env).
   * Absent: no gate (files from before it).
   */
  envs?: string[];
  /**
   * Optional: environments the model was not trained on where a bench showed it helps without
   * harm (bench/results/meta/cross-env). The environment gate lets it act there too.
   */
  validatedEnvs?: string[];
}

/** The environments a model acts on: its training ones and the validated ones; null = any. */
export function actsOn(m: EmbeddedAlgoModel): string[] | null {
  return m.envs ? [...m.envs, ...(m.validatedEnvs ?? [])] : null;
}

export interface EmbeddedWeights {
  format: typeof EMBEDDED_FORMAT;
  /** Multiplicative steps, one of which is exactly 1 ("keep"). */
  factors: number[];
  models: Record<string, EmbeddedAlgoModel>;
  /**
   * Optional, per algorithm: a second network for environments outside the first one's (a
   * model trained on several environments with scale-free features), acting on its own `envs`
   * and `validatedEnvs`. The first network decides wherever it acts; elsewhere this one does.
   */
  fallback?: Record<string, EmbeddedAlgoModel>;
  /** How the file was made (dataset, seed, epochs, accuracy): shown by `describe()`. */
  provenance?: Record<string, unknown>;
}

function numbers(v: unknown, n: number | null): v is number[] {
  return Array.isArray(v) && (n === null || v.length === n) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** What is wrong with one network (null: nothing). */
function checkModel(at: string, m: unknown, factors: number[]): string | null {
  if (!isRecord(m)) return `${at} is not an object`;
  if (!Array.isArray(m.features) || !m.features.every((f) => typeof f === 'string')) return `${at}.features must be a list of feature names`;
  if (!Array.isArray(m.params) || m.params.length === 0 || !m.params.every((p) => typeof p === 'string')) return `${at}.params must name the hyperparameters decided`;
  const nf = m.features.length;
  if (m.ranges !== undefined) {
    if (!isRecord(m.ranges)) return `${at}.ranges must map feature names to [min, max]`;
    for (const [f, r] of Object.entries(m.ranges)) if (!numbers(r, 2) || r[0] > r[1]) return `${at}.ranges.${f} must be [min, max] with min ≤ max`;
  }
  if (m.envs !== undefined && (!Array.isArray(m.envs) || m.envs.length === 0 || !m.envs.every((e) => typeof e === 'string' && e !== '')))
    return `${at}.envs must list the environment ids the model was trained on`;
  if (!numbers(m.mean, nf) || !numbers(m.std, nf) || m.std.some((s) => s <= 0)) return `${at}.mean and .std must be ${nf} finite numbers (std > 0)`;
  if (!Array.isArray(m.layers) || m.layers.length === 0) return `${at}.layers must list at least one layer`;
  let width = nf;
  for (const [i, l] of m.layers.entries()) {
    if (!isRecord(l) || l.inputs !== width || typeof l.outputs !== 'number' || !Number.isInteger(l.outputs) || l.outputs < 1)
      return `${at}.layers[${i}] must take ${width} inputs and give a positive integer number of outputs`;
    if (!numbers(l.w, l.inputs * l.outputs) || !numbers(l.b, l.outputs)) return `${at}.layers[${i}] needs ${l.inputs * l.outputs} finite weights and ${l.outputs} biases`;
    width = l.outputs;
  }
  if (width !== m.params.length * factors.length) return `${at}: the last layer gives ${width} outputs, expected ${m.params.length} params × ${factors.length} factors`;
  if (m.validatedEnvs !== undefined && (!Array.isArray(m.validatedEnvs) || !m.validatedEnvs.every((e) => typeof e === 'string' && e !== '')))
    return `${at}.validatedEnvs must list environment ids`;
  if (m.validatedEnvs !== undefined && m.envs === undefined) return `${at}.validatedEnvs needs .envs (the environments it was trained on)`;
  return null;
}

/** Checks a parsed weights file: shapes consistent, every number finite. */
export function checkEmbeddedWeights(v: unknown): Check<EmbeddedWeights> {
  if (!isRecord(v)) return fail(`the weights file is not a JSON object: ${describeValue(v)}`);
  if (v.format !== EMBEDDED_FORMAT) return fail(`the weights file's "format" is ${describeValue(v.format)}, expected "${EMBEDDED_FORMAT}"; retrain it with "hyperprompt meta train"`);
  if (!numbers(v.factors, null) || v.factors.length < 2 || !v.factors.includes(1) || v.factors.some((f) => f <= 0))
    return fail('"factors" must be positive numbers including 1');
  if (!isRecord(v.models)) return fail('"models" must map algorithm names to networks');
  const factors = v.factors;
  for (const [algo, m] of Object.entries(v.models)) {
    const bad = checkModel(`models.${algo}`, m, factors);
    if (bad) return fail(bad);
  }
  if (v.fallback !== undefined) {
    if (!isRecord(v.fallback)) return fail('"fallback" must map algorithm names to networks');
    for (const [algo, m] of Object.entries(v.fallback)) {
      const bad = checkModel(`fallback.${algo}`, m, factors);
      if (bad) return fail(bad);
      if (!isRecord(v.models[algo])) return fail(`fallback.${algo} has no first network (models.${algo}) to fall back from`);
    }
  }
  return ok(v as unknown as EmbeddedWeights);
}

/** The weights file shipped with the project, found from the source tree or the bundle. */
export function defaultWeightsPath(): string {
  const candidates = [
    join(__dirname, '..', 'models', 'embedded', 'weights.json'),
    join(__dirname, '..', '..', '..', 'models', 'embedded', 'weights.json'),
    join(process.cwd(), 'models', 'embedded', 'weights.json'),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[1]!;
}

/** Reads and checks a weights file; throws with what was wrong and what to do. */
export function loadEmbeddedWeights(path = defaultWeightsPath()): EmbeddedWeights {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the embedded controller's weights at ${path} (${(e as Error).message}); restore models/embedded/weights.json or retrain with "hyperprompt meta train"`);
  }
  const c = checkEmbeddedWeights(raw);
  if (!c.ok) throw new Error(`${path}: ${c.error}`);
  return c.value;
}

/** A ready network: typed arrays, the feature mapping resolved once per layout. */
class Net {
  private readonly layers: { inputs: number; outputs: number; w: Float64Array; b: Float64Array }[];
  private readonly mapping = new Map<string, Int32Array>();

  constructor(readonly model: EmbeddedAlgoModel) {
    this.layers = model.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: Float64Array.from(l.w), b: Float64Array.from(l.b) }));
  }

  /** For each model feature, its index in the live vector (or -1: absent, reads as the training mean). */
  private indexFor(names: readonly string[]): Int32Array {
    const key = names.join('\u0000');
    let m = this.mapping.get(key);
    if (!m) {
      const pos = new Map(names.map((n, i) => [n, i]));
      m = Int32Array.from(this.model.features.map((f) => pos.get(f) ?? -1));
      this.mapping.set(key, m);
    }
    return m;
  }

  /** Logits for a live feature vector whose layout is `names`. */
  forward(features: readonly number[], names: readonly string[]): Float64Array {
    const idx = this.indexFor(names);
    let x = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i]!;
      const v = j >= 0 ? features[j] : undefined;
      x[i] = v === undefined || !Number.isFinite(v) ? 0 : (v - this.model.mean[i]!) / this.model.std[i]!;
    }
    this.layers.forEach((l, li) => {
      const y = new Float64Array(l.outputs);
      for (let o = 0; o < l.outputs; o++) {
        let s = l.b[o]!;
        const row = o * l.inputs;
        for (let i = 0; i < l.inputs; i++) s += l.w[row + i]! * x[i]!;
        y[o] = li < this.layers.length - 1 ? Math.tanh(s) : s;
      }
      x = y;
    });
    return x;
  }
}

function softmax(xs: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]!);
  const e = Array.from(xs, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** The step a proposal takes: the same as the oracle's and PBT's (src/shared/hyperparams.ts). */
export { stepValue };

export interface EmbeddedOptions {
  /** A weights file other than the shipped one. */
  weightsPath?: string;
  /** Already-loaded weights (tests, `meta train`): takes precedence over the path. */
  weights?: EmbeddedWeights;
  /** A change is proposed only when its step beats "keep" by at least this probability margin. */
  minMargin?: number;
  /**
   * Decide on environments the model was not trained on too (the weights' `envs`). Off by
   * default: there its advice made runs worse. For measuring transfer (a bench suite's
   * `options.embedded.anyEnv`).
   */
  anyEnv?: boolean;
}

export interface HeadDistribution {
  param: string;
  probs: number[];
}

export class EmbeddedController implements Controller {
  readonly name = 'embedded';
  readonly weights: EmbeddedWeights;
  readonly weightsPath: string | undefined;
  private readonly nets = new Map<string, Net>();
  private readonly fallbackNets = new Map<string, Net>();
  private readonly minMargin: number;
  private readonly anyEnv: boolean;
  /** Environments already told about the gate: the message comes once per run, the rationale every time. */
  private readonly warnedEnvs = new Set<string>();
  private readonly keepIndex: number;

  constructor(o: EmbeddedOptions = {}) {
    this.weightsPath = o.weights ? undefined : (o.weightsPath ?? defaultWeightsPath());
    this.weights = o.weights ?? loadEmbeddedWeights(this.weightsPath);
    for (const [algo, m] of Object.entries(this.weights.models)) this.nets.set(algo, new Net(m));
    for (const [algo, m] of Object.entries(this.weights.fallback ?? {})) this.fallbackNets.set(algo, new Net(m));
    this.minMargin = o.minMargin ?? 0;
    this.anyEnv = o.anyEnv ?? false;
    this.keepIndex = this.weights.factors.indexOf(1);
  }

  describe(): Record<string, unknown> {
    const envs = Object.fromEntries(Object.entries(this.weights.models).map(([a, m]) => [a, actsOn(m) ?? 'any']));
    const fallback = Object.fromEntries(Object.entries(this.weights.fallback ?? {}).map(([a, m]) => [a, actsOn(m) ?? 'any']));
    return {
      controller: 'embedded',
      weights: this.weightsPath ?? '(in memory)',
      factors: this.weights.factors,
      algos: Object.keys(this.weights.models),
      envs,
      ...(this.weights.fallback ? { fallbackEnvs: fallback } : {}),
      anyEnv: this.anyEnv,
      minMargin: this.minMargin,
      provenance: this.weights.provenance ?? null,
    };
  }

  /**
   * The network that decides for an algorithm on an environment: the first one where it acts
   * (its `envs` and `validatedEnvs`, or anywhere without `envs`), else the fallback where it
   * acts, else (with `anyEnv`) the first. `gated` lists where some network would act.
   */
  netFor(algo: string, env: string | undefined): { net: Net; fallback: boolean } | { gated: string[]; where: string } | null {
    const first = this.nets.get(algo);
    if (!first) return null;
    const fb = this.fallbackNets.get(algo);
    const acts = (n: Net): boolean => {
      const e = actsOn(n.model);
      return e === null || env === undefined || e.includes(env);
    };
    if (acts(first)) return { net: first, fallback: false };
    if (fb && acts(fb)) return { net: fb, fallback: true };
    if (this.anyEnv) return { net: first, fallback: false };
    const gated = [...new Set([...(actsOn(first.model) ?? []), ...(fb ? (actsOn(fb.model) ?? []) : [])])];
    const measured = [first.model, fb?.model].some((m) => m?.validatedEnvs?.length);
    return { gated, where: measured ? `acts only on ${gated.join(', ')} (where it was trained or measured)` : `was trained on ${gated.join(', ')} only` };
  }

  /** Per-parameter step distributions for a feature vector, or null when no network covers the algorithm. */
  distributions(algo: string, features: readonly number[], space: readonly HyperparamSpec[], env?: string): HeadDistribution[] | null {
    const pick = this.netFor(algo, env);
    if (!pick || !('net' in pick)) return null;
    const net = pick.net;
    const logits = net.forward(features, featureNames(space));
    const k = this.weights.factors.length;
    return net.model.params.map((param, p) => ({ param, probs: softmax(logits.subarray(p * k, (p + 1) * k)) }));
  }

  /** The first gated feature outside its training range, if any (the live layout is `featureNames(space)`). */
  outOfRange(algo: string, features: readonly number[], space: readonly HyperparamSpec[], env?: string): { feature: string; value: number; range: [number, number] } | null {
    const pick = this.netFor(algo, env);
    const ranges = pick && 'net' in pick ? pick.net.model.ranges : undefined;
    if (!ranges) return null;
    const names = featureNames(space);
    for (const [f, range] of Object.entries(ranges)) {
      const i = names.indexOf(f);
      const v = i >= 0 ? features[i] : undefined;
      if (v !== undefined && (v < range[0] || v > range[1])) return { feature: f, value: v, range };
    }
    return null;
  }

  async decide(input: ControllerInput): Promise<ControllerOutput> {
    const pick = this.netFor(input.summary.algo, input.summary.env);
    if (pick && 'gated' in pick) {
      const first = !this.warnedEnvs.has(input.summary.env);
      this.warnedEnvs.add(input.summary.env);
      return {
        proposal: {
          changes: {},
          rationale: `Keeping every value: the embedded model ${pick.where}, and on environments it had not seen its advice made runs worse; for ${input.summary.env} use an Ollama model or the heuristic controller, or train the model on it ("hyperprompt collect", then "hyperprompt meta train").`,
        },
        ...(first ? { messages: [`embedded: ${pick.where.replace(/^was /, '')}, so it keeps every value on ${input.summary.env}; use the ollama or heuristic controller for advice here`] } : {}),
      };
    }
    const env = input.summary.env;
    const by = pick && 'net' in pick && pick.fallback ? `the embedded model's network for ${env} (trained on ${(pick.net.model.envs ?? []).join(', ')})` : 'the embedded model';
    const out = this.outOfRange(input.summary.algo, input.features, input.space, env);
    if (out)
      return {
        proposal: { changes: {}, rationale: `Keeping every value: ${out.feature} is ${fmt(out.value)}, outside the range the model was trained on (${fmt(out.range[0])} to ${fmt(out.range[1])}), where its advice would be extrapolation.` },
      };
    const heads = this.distributions(input.summary.algo, input.features, input.space, env);
    if (!heads)
      return {
        proposal: { changes: {}, rationale: `The embedded model has no network for ${input.summary.algo} (it has: ${Object.keys(this.weights.models).join(', ')}); nothing changes.` },
        messages: [`embedded: no network for ${input.summary.algo}; proposing no change`],
      };
    let best: { param: string; factor: number; p: number; keep: number; margin: number } | null = null;
    for (const h of heads) {
      const spec = findSpec(input.space, h.param);
      const cur = input.values[h.param];
      if (!spec || !spec.mutable || typeof cur !== 'number') continue;
      const keep = h.probs[this.keepIndex]!;
      h.probs.forEach((p, i) => {
        if (i === this.keepIndex) return;
        const margin = p - keep;
        if (margin > this.minMargin && (!best || margin > best.margin)) best = { param: h.param, factor: this.weights.factors[i]!, p, keep, margin };
      });
    }
    const b = best as { param: string; factor: number; p: number; keep: number; margin: number } | null;
    if (!b) {
      const keeps = heads.map((h) => `${h.param} ${fmt(h.probs[this.keepIndex]!)}`).join(', ');
      return { proposal: { changes: {}, rationale: `Keeping every value: for each parameter the model rates "keep" most likely (${keeps}).`, confidence: Math.min(...heads.map((h) => h.probs[this.keepIndex]!)) } };
    }
    const spec = findSpec(input.space, b.param)!;
    const cur = input.values[b.param] as number;
    const next = stepValue(spec, cur, b.factor);
    if (next === cur)
      return {
        proposal: {
          changes: {},
          rationale: `Keeping every value: the model's widest margin over keep is ${b.param} ×${fmt(b.factor)}, which leaves it at ${fmt(cur)} (a bound or zero).`,
          confidence: b.keep,
        },
      };
    const changes: HyperparamValues = { [b.param]: next };
    return {
      proposal: {
        changes,
        rationale: `${by[0]!.toUpperCase()}${by.slice(1)} rates ${b.param} ×${fmt(b.factor)} (${fmt(cur)} → ${fmt(next)}) at ${fmt(b.p)} against ${fmt(b.keep)} for keeping it, the widest margin over keep among the parameters it decides.`,
        confidence: b.p,
      },
    };
  }
}

// Trains the embedded controller with tfjs on a dataset's oracle targets: per algorithm, an
// MLP (standardised features → tanh hidden layer → one softmax head per hyperparameter over
// FACTORS), masked cross-entropy (targets.ts), Adam, full batch. Or, with `target: 'gain'`,
// the same network's outputs regress the measured gain of every step tried (targets.ts,
// `exampleGains`: each branch's return over keep's, relative, minus a cost; keep is 0), masked
// MSE: a noisy argmax label ("the branch that happened to win") throws away every other
// branch's measurement, while the mean of noisy gains is an unbiased estimate, so a step that
// helps on average (learning_rate ×3 from a 10× too low start) is learned even when it wins
// only half its decisions. The controller reads the outputs as logits either way: it proposes
// the step whose output beats keep's, i.e. whose predicted gain exceeds the cost. Reproducible: weights are
// initialised from the seeded Rng of src/rl, examples are in file order, and training runs on
// tfjs's cpu backend (deterministic, and the net is far too small for a faster one to matter).
// The result is the plain-JSON weights file the co-pilot's embedded controller reads.

import type { Scalar } from '@tensorflow/tfjs';
import { EMBEDDED_FORMAT, type EmbeddedAlgoModel, type EmbeddedWeights } from '../copilot/controllers/embedded';
import { initBackend, getTf } from '../rl/backend';
import { Rng } from '../rl/rng';
import type { Example } from './dataset';
import { EXCLUDED_FEATURES, FACTORS, type FeatureSet, type GainNorm, KEEP, exampleGains, exampleLabels, informative, scaleFreeFeatureNames } from './targets';

export interface TrainOptions {
  seed: number;
  hidden: number;
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights (not biases). */
  l2: number;
  /**
   * Weight of "keep" as the label of a head no branch tried in an example. Without it such a
   * head is unconstrained there and proposes at random; with it, a change needs evidence.
   */
  untriedKeepWeight: number;
  /**
   * Leave out train examples where every branch scored the same (targets.ts, `informative`).
   * Off by default: on the shipped dataset it leaves 43 examples and the net then memorises
   * them (validation agreement 21% against 88% for always-keep); the ties at least teach "keep
   * when nothing measurable differs".
   */
  skipTies: boolean;
  /** best: classify the winning branch's step (cross-entropy); gain: regress every branch's gain (MSE). */
  target: 'best' | 'gain';
  /** gain targets: subtracted from every step's relative gain, so a change must pay for itself. */
  gainCost: number;
  /** gain targets: what a gain is relative to (targets.ts, GainNorm). */
  gainNorm: GainNorm;
  /** gain targets: outputs are `gainScale` × relative gain (readable softmax margins). */
  gainScale: number;
  /**
   * Features whose training range is written to the model (`ranges`): the controller keeps
   * every value outside it. The default gates `progress`, so a dataset that covers only the
   * first decisions of its runs does not drive the rest of a run by extrapolation.
   */
  gateFeatures: string[];
  /** all: every summary feature; scale-free: the ones a model can read on another env (targets.ts); or a list of feature names. */
  featureSet: FeatureSet;
}

// Chosen on the validation split of models/embedded/dataset (docs/dataset.md): weaker L2 or more epochs
// memorise the 96 training examples and fall below always-keep on validation.
export const DEFAULT_TRAIN: TrainOptions = { seed: 0, hidden: 16, epochs: 150, learningRate: 0.01, l2: 3e-3, untriedKeepWeight: 0.25, skipTies: false, target: 'best', gainCost: 0.02, gainNorm: 'keep', gainScale: 10, gateFeatures: ['progress'], featureSet: 'all' };

/** Gain target of a step not tried in an example (relative; see `target: 'gain'`). */
const UNTRIED_GAIN = -0.1;

export interface HeadScore {
  param: string;
  /** Labelled examples of the split for this head. */
  n: number;
  /** Fraction where the argmax class is the label; and what always answering "keep" gets. */
  accuracy: number | null;
  keepBaseline: number | null;
}

export interface AlgoReport {
  algo: string;
  /** Train examples used, and (with skipTies) those skipped because every branch scored the same. */
  examples: { train: number; uninformative: number; validation: number; heldout: number };
  finalLoss: number;
  validation: HeadScore[];
  train: HeadScore[];
}

function glorot(rng: Rng, inputs: number, outputs: number): number[] {
  const a = Math.sqrt(6 / (inputs + outputs));
  return Array.from({ length: inputs * outputs }, () => rng.uniform(-a, a));
}

function scoreHeads(params: readonly string[], probs: number[][], labels: number[][]): HeadScore[] {
  const k = FACTORS.length;
  return params.map((param, p) => {
    let n = 0;
    let right = 0;
    let keep = 0;
    labels.forEach((l, i) => {
      const y = l[p]!;
      if (y < 0) return;
      n++;
      const row = probs[i]!.slice(p * k, (p + 1) * k);
      if (row.indexOf(Math.max(...row)) === y) right++;
      if (y === KEEP) keep++;
    });
    return { param, n, accuracy: n ? right / n : null, keepBaseline: n ? keep / n : null };
  });
}

/** Trains one network per algorithm present in the train split. */
export async function trainEmbedded(examples: readonly Example[], o: TrainOptions = DEFAULT_TRAIN, provenance: Record<string, unknown> = {}): Promise<{ weights: EmbeddedWeights; reports: AlgoReport[] }> {
  await initBackend('cpu');
  const tf = getTf();
  const models: Record<string, EmbeddedAlgoModel> = {};
  const reports: AlgoReport[] = [];
  const algos = [...new Set(examples.filter((e) => e.split === 'train' && (!o.skipTies || informative(e))).map((e) => e.task.algo))].sort();
  for (const algo of algos) {
    const mine = examples.filter((e) => e.task.algo === algo);
    const train = mine.filter((e) => e.split === 'train' && (!o.skipTies || informative(e)));
    const validation = mine.filter((e) => e.split === 'validation');
    // A head is trained only for parameters some example labels: an untrained head would propose at random.
    const params = [...new Set(train.flatMap((e) => e.params))].sort().filter((p) => train.some((e) => exampleLabels(e, [p])[0]! >= 0));
    if (params.length === 0) continue;
    const names = train[0]!.featureNames;
    const wanted = o.featureSet === 'scale-free' ? new Set(scaleFreeFeatureNames(params)) : Array.isArray(o.featureSet) ? new Set(o.featureSet) : null;
    const features = names.filter((n) => !EXCLUDED_FEATURES.includes(n) && (wanted === null || wanted.has(n)));
    if (wanted && features.length < wanted.size) {
      const missing = [...wanted].filter((f) => !features.includes(f));
      if (Array.isArray(o.featureSet)) {
        const unknown = missing.filter((f) => !names.includes(f));
        throw new Error(`no feature${unknown.length > 1 ? 's' : ''} named ${unknown.join(', ') || missing.join(', ')} in the ${algo} examples${unknown.length === 0 ? ' that a model may read (sps is never read)' : ''}; the examples have: ${names.join(', ')}`);
      }
      throw new Error(`the ${algo} examples lack scale-free features (${missing.join(', ')}): they were collected before those existed; collect the dataset again with "hyperprompt collect"`);
    }
    // With a chosen set every example must carry it (the first one's layout is not everyone's:
    // mixing a dataset from before the scale-free features would read them as 0).
    const lacking = wanted ? train.filter((e) => features.some((f) => !e.featureNames.includes(f))) : [];
    if (lacking.length > 0)
      throw new Error(`${lacking.length} of the ${train.length} ${algo} train examples lack some of the chosen features (first: ${lacking[0]!.id}, without ${features.filter((f) => !lacking[0]!.featureNames.includes(f)).join(', ')}); collect their dataset again with "hyperprompt collect" or leave it out`);
    // Features by name, so examples with another layout (e.g. users' decisions) line up.
    const row = (e: Example): number[] => {
      const pos = new Map(e.featureNames.map((n, i) => [n, i]));
      return features.map((f) => {
        const j = pos.get(f);
        return j === undefined ? 0 : e.features[j]!;
      });
    };
    const X = train.map(row);
    const mean = features.map((_, j) => X.reduce((a, r) => a + r[j]!, 0) / X.length);
    const std = features.map((_, j) => {
      const s = Math.sqrt(X.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / X.length);
      return s > 1e-6 ? s : 1;
    });
    const norm = (r: number[]): number[] => r.map((v, j) => (v - mean[j]!) / std[j]!);
    const labels = train.map((e) => exampleLabels(e, params));
    const k = FACTORS.length;
    const nf = features.length;
    const nOut = params.length * k;
    const rng = new Rng(o.seed);
    const w1 = tf.variable(tf.tensor2d(glorot(rng, nf, o.hidden), [nf, o.hidden]));
    const b1 = tf.variable(tf.zeros([o.hidden]));
    const w2 = tf.variable(tf.tensor2d(glorot(rng, o.hidden, nOut), [o.hidden, nOut]));
    const b2 = tf.variable(tf.zeros([nOut]));
    const xs = tf.tensor2d(X.map(norm), [X.length, nf]);
    // One-hot targets and a mask per (example, head); a masked head contributes nothing.
    const onehot = new Float32Array(X.length * nOut);
    const mask = new Float32Array(X.length * params.length);
    labels.forEach((l, i) =>
      l.forEach((y, p) => {
        onehot[i * nOut + p * k + (y < 0 ? KEEP : y)] = 1;
        mask[i * params.length + p] = y < 0 ? o.untriedKeepWeight : 1;
      }),
    );
    const ys = tf.tensor3d(onehot, [X.length, params.length, k]);
    const ms = tf.tensor2d(mask, [X.length, params.length]);
    const denom = Math.max(1, mask.reduce((a, b) => a + b, 0));
    // Gain targets: one value and one mask per (example, head, step).
    const gainY = new Float32Array(X.length * nOut);
    const gainM = new Float32Array(X.length * nOut);
    if (o.target === 'gain')
      train.forEach((e, i) => {
        const g = exampleGains(e, params, o.gainCost, o.gainNorm);
        g.forEach((row, p) =>
          row.forEach((v, c) => {
            // A step no branch tried here gets a pessimistic target (a loss of 10%) at the
            // untried weight: left free, its output would drift near keep's and win on noise.
            gainY[i * nOut + p * k + c] = o.gainScale * (v ?? UNTRIED_GAIN);
            gainM[i * nOut + p * k + c] = v === null ? o.untriedKeepWeight : 1;
          }),
        );
      });
    const gy = tf.tensor2d(gainY, [X.length, nOut]);
    const gm = tf.tensor2d(gainM, [X.length, nOut]);
    const gDenom = Math.max(1, gainM.reduce((a, b) => a + b, 0));
    const opt = tf.train.adam(o.learningRate);
    let finalLoss = NaN;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const loss = opt.minimize(() => {
        const h = tf.tanh(tf.add(tf.matMul(xs, w1), b1));
        const out = tf.add(tf.matMul(h, w2), b2);
        let data;
        if (o.target === 'gain') data = tf.div(tf.sum(tf.mul(gm, tf.square(tf.sub(out, gy)))), gDenom);
        else {
          const logits = tf.reshape(out, [X.length, params.length, k]);
          const ce = tf.neg(tf.sum(tf.mul(ys, tf.logSoftmax(logits)), 2));
          data = tf.div(tf.sum(tf.mul(ce, ms)), denom);
        }
        const reg = tf.mul(o.l2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))));
        return tf.add(data, reg) as Scalar;
      }, true);
      if (epoch === o.epochs - 1 && loss) finalLoss = (await loss.data())[0]!;
      loss?.dispose();
    }
    const ranges: Record<string, [number, number]> = {};
    for (const f of o.gateFeatures) {
      const j = features.indexOf(f);
      if (j < 0) continue;
      const col = X.map((r) => r[j]!);
      ranges[f] = [Number(Math.min(...col).toPrecision(6)), Number(Math.max(...col).toPrecision(6))];
    }
    const model: EmbeddedAlgoModel = {
      features,
      mean,
      std,
      ...(Object.keys(ranges).length ? { ranges } : {}),
      envs: [...new Set(train.map((e) => e.task.env))].sort(),
      params,
      layers: [
        { inputs: nf, outputs: o.hidden, w: Array.from(tf.transpose(w1).dataSync()), b: Array.from(b1.dataSync()) },
        { inputs: o.hidden, outputs: nOut, w: Array.from(tf.transpose(w2).dataSync()), b: Array.from(b2.dataSync()) },
      ],
    };
    const predict = (set: readonly Example[]): number[][] => {
      if (set.length === 0) return [];
      return tf.tidy(() => {
        const x = tf.tensor2d(set.map((e) => norm(row(e))), [set.length, nf]);
        const logits = tf.reshape(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2), [set.length, params.length, k]);
        const p = tf.reshape(tf.softmax(logits), [set.length, nOut]);
        return p.arraySync() as number[][];
      });
    };
    reports.push({
      algo,
      examples: { train: train.length, uninformative: o.skipTies ? mine.filter((e) => e.split === 'train' && !informative(e)).length : 0, validation: validation.length, heldout: mine.filter((e) => e.split === 'heldout').length },
      finalLoss,
      train: scoreHeads(params, predict(train), labels),
      validation: scoreHeads(params, predict(validation), validation.map((e) => exampleLabels(e, params))),
    });
    tf.dispose([w1, b1, w2, b2, xs, ys, ms, gy, gm]);
    opt.dispose();
    // Round to 6 significant digits: a smaller file, and the same file on every machine.
    for (const l of model.layers) {
      l.w = l.w.map((v) => Number(v.toPrecision(6)));
      l.b = l.b.map((v) => Number(v.toPrecision(6)));
    }
    model.mean = model.mean.map((v) => Number(v.toPrecision(6)));
    model.std = model.std.map((v) => Number(v.toPrecision(6)));
    models[algo] = model;
  }
  if (algos.length === 0) throw new Error('the dataset has no examples in the train split; collect some with "hyperprompt collect"');
  const weights: EmbeddedWeights = { format: EMBEDDED_FORMAT, factors: [...FACTORS], models, provenance: { ...provenance, options: o, reports } };
  return { weights, reports };
}

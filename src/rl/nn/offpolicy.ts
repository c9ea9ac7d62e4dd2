// Network pieces the off-policy algorithms (DQN, SAC) need: ReLU MLPs and a twin critic read
// from ONE flat parameter vector, a plain-JS forward pass for acting (no tensor per env step),
// a flat Adam (a handful of ops whatever the network size), global-norm clipping, a
// stop-gradient, and the polyak (soft / hard) target update.
//
// Layout of an MLP with sizes [in, h1, ..., out] inside a flat vector, from `offset`:
// for each layer, W as [fanIn, fanOut] row-major, then b [fanOut].
// A twin critic (two MLPs of the same sizes, evaluated together with batched matmuls) stores
// each layer as W [2, fanIn, fanOut] then b [2, 1, fanOut].
// Initialisation is PyTorch's nn.Linear default (what Stable-Baselines3's DQN and SAC use):
// W and b uniform in ±1/sqrt(fanIn).

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

export interface LayerSlot {
  fanIn: number;
  fanOut: number;
  w: number; // offset of W in the flat vector
  b: number; // offset of b
}

export interface MlpLayout {
  sizes: number[];
  /** 1 for a plain MLP, 2 for a twin. */
  copies: number;
  layers: LayerSlot[];
  offset: number;
  /** Parameters used (all copies). */
  size: number;
}

export function mlpLayout(sizes: number[], offset = 0, copies = 1): MlpLayout {
  const layers: LayerSlot[] = [];
  let p = offset;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const w = p;
    p += copies * fanIn * fanOut;
    const b = p;
    p += copies * fanOut;
    layers.push({ fanIn, fanOut, w, b });
  }
  return { sizes, copies, layers, offset, size: p - offset };
}

/** Writes a fresh initialisation of the layout into `theta`. `lastLayerScale` shrinks the output layer. */
export function initMlp(layout: MlpLayout, theta: Float32Array, rng: Rng, lastLayerScale = 1): void {
  layout.layers.forEach((L, l) => {
    const bound = (1 / Math.sqrt(L.fanIn)) * (l === layout.layers.length - 1 ? lastLayerScale : 1);
    for (let c = 0; c < layout.copies; c++) {
      const w0 = L.w + c * L.fanIn * L.fanOut;
      for (let i = 0; i < L.fanIn * L.fanOut; i++) theta[w0 + i] = rng.uniform(-bound, bound);
      const b0 = L.b + c * L.fanOut;
      for (let i = 0; i < L.fanOut; i++) theta[b0 + i] = rng.uniform(-bound, bound);
    }
  });
}

/**
 * The layer tensors of a layout, cut out of a flat vector: [W0, b0, W1, b1, ...] (twin layouts
 * get [2, fanIn, fanOut] / [2, 1, fanOut] shapes). Taking gradients with respect to these
 * pieces and concatenating them (`flatGrad`) costs one pass over the parameters, where
 * differentiating through slices of the flat vector would pad every piece back to full size.
 */
export function layerTensors(layout: MlpLayout, theta: tf.Tensor1D): tf.Tensor[] {
  const c = layout.copies;
  const out: tf.Tensor[] = [];
  for (const L of layout.layers) {
    const wShape = c === 1 ? [L.fanIn, L.fanOut] : [c, L.fanIn, L.fanOut];
    const bShape = c === 1 ? [L.fanOut] : [c, 1, L.fanOut];
    out.push(theta.slice(L.w, c * L.fanIn * L.fanOut).reshape(wShape));
    out.push(theta.slice(L.b, c * L.fanOut).reshape(bShape));
  }
  return out;
}

/** Gradients of the layer tensors of consecutive layouts, back in flat-vector order. */
export function flatGrad(grads: tf.Tensor[]): tf.Tensor1D {
  return tf.concat(grads.map((g) => g.reshape([-1]))) as tf.Tensor1D;
}

/** Forward pass on a batch with the tensors of `layerTensors`: ReLU between layers, linear output. */
export function mlpApply(params: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  const nLayers = params.length / 2;
  for (let l = 0; l < nLayers; l++) {
    h = tf.fused.matMul({ a: h, b: params[2 * l] as tf.Tensor2D, bias: params[2 * l + 1], activation: l === nLayers - 1 ? 'linear' : 'relu' }) as tf.Tensor2D;
  }
  return h;
}

/** Both critics of a twin on the same batch: [2, batch, out]. */
export function twinApply(params: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor3D {
  let h: tf.Tensor3D = x.expandDims(0) as tf.Tensor3D; // [1, B, in], broadcast against [2, in, out]
  const nLayers = params.length / 2;
  for (let l = 0; l < nLayers; l++) {
    h = tf.fused.matMul({ a: h, b: params[2 * l] as tf.Tensor3D, bias: params[2 * l + 1], activation: l === nLayers - 1 ? 'linear' : 'relu' }) as tf.Tensor3D;
  }
  return h;
}

/** Forward of a single MLP straight from a flat vector (no gradient needed). */
export function mlpForward(layout: MlpLayout, theta: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor2D {
  if (layout.copies !== 1) throw new Error('mlpForward takes a single MLP; use twinApply for a twin layout');
  return mlpApply(layerTensors(layout, theta), x);
}

/**
 * Plain-JS forward of one input row through a single MLP on host-side parameters. For a
 * 256-256 network this is ~0.1 ms, cheaper than dispatching a tensor graph per env step.
 */
export class MlpJs {
  private readonly bufs: Float32Array[];

  constructor(readonly layout: MlpLayout) {
    this.bufs = layout.layers.map((L) => new Float32Array(L.fanOut));
  }

  /** Returns the output row (a buffer reused by the next call). */
  forward(theta: Float32Array, x: ArrayLike<number>): Float32Array {
    const last = this.layout.layers.length - 1;
    let input: ArrayLike<number> = x;
    this.layout.layers.forEach((L, l) => {
      const out = this.bufs[l];
      for (let j = 0; j < L.fanOut; j++) out[j] = theta[L.b + j];
      for (let i = 0; i < L.fanIn; i++) {
        const xi = input[i];
        if (xi === 0) continue;
        const row = L.w + i * L.fanOut;
        for (let j = 0; j < L.fanOut; j++) out[j] += xi * theta[row + j];
      }
      if (l !== last) for (let j = 0; j < L.fanOut; j++) if (out[j] < 0) out[j] = 0;
      input = out;
    });
    return this.bufs[last];
  }
}

/** Identity forward, zero gradient: the `.detach()` of PyTorch, which tfjs lacks. */
const detach = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: (inputs[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

/** Scales a flat gradient so its L2 norm is at most maxNorm (PyTorch clip_grad_norm_). Returns [clipped, norm]. */
export function clipByGlobalNorm(g: tf.Tensor1D, maxNorm: number): [tf.Tensor1D, tf.Scalar] {
  const norm = tf.sqrt(tf.sum(tf.square(g))) as tf.Scalar;
  if (!Number.isFinite(maxNorm)) return [g, norm];
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return [tf.mul(g, coef) as tf.Tensor1D, norm];
}

/** target ← tau·online + (1 − tau)·target (tau = 1 is a hard copy). */
export function polyakUpdate(target: tf.Variable, online: tf.Tensor, tau: number): void {
  tf.tidy(() => {
    if (tau >= 1) target.assign(online);
    else target.assign(tf.add(tf.mul(target, 1 - tau), tf.mul(online, tau)));
  });
}

/**
 * Adam over one flat parameter vector, PyTorch's update rule (bias-corrected step size, eps
 * added to the corrected second moment). The learning rate is an argument of each step, so a
 * new value takes effect at the very next update.
 */
export class FlatAdam {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** Updates done so far (PyTorch's `step`). */
  t = 0;

  constructor(
    size: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = tf.variable(tf.zeros([size]), false);
    this.v = tf.variable(tf.zeros([size]), false);
  }

  /** theta ← theta − lr·m̂/(sqrt(v̂)+eps). Call inside a tidy. */
  step(theta: tf.Variable, grad: tf.Tensor1D, lr: number): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(grad, 1 - this.beta1));
    const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
    this.m.assign(m);
    this.v.assign(v);
    const denom = tf.add(tf.mul(tf.sqrt(v), 1 / Math.sqrt(bc2)), this.eps);
    theta.assign(tf.sub(theta, tf.mul(tf.div(m, denom), lr / bc1)));
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}

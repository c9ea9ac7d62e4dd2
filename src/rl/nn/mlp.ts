// A multi-layer perceptron whose parameters are ONE flat Float32Array owned by the caller,
// with a hand-written backward pass. Several "towers" (e.g. actor and critic, or twin Q
// critics) can share the same input and hidden sizes; on the tfjs backend each tower runs as its
// own small network (or, with `fuseTowers`, all of them as one block-diagonal network: fewer
// kernels but twice the hidden-layer arithmetic for two towers; measured ~12% slower on wasm
// for the 64-64 actor-critic).
//
// Flat layout (framework-independent, what checkpoints store):
//   for each tower t, for each layer l (hidden layers, then the output layer):
//     W[l] as [in, out] row-major, then b[l] as [out]
// `layout()` gives the offsets.
//
// How the tfjs pass is made cheap (see docs/engine-performance.md for the numbers): on the
// wasm backend only plain (non-transposed, non-batched) matmuls hit XNNPACK, `tanh` is a slow
// scalar loop while `sigmoid` is vectorised, and every kernel dispatch costs tens of µs. So:
//  - tanh(z) is computed as 2·sigmoid(2z) − 1, fused into the matmul; the affine "2s − 1" is
//    folded into the next layer's weights, which are rebuilt in JS for every pass anyway;
//  - biases ride along as an extra input row: every activation carries a constant-1 column
//    (produced by a column with zero weights and a large bias), so the bias gradient comes out
//    of the same matmul as the weight gradient, with no reductions;
//  - the weight gradients need the activations transposed: the input's transpose is made in JS,
//    hidden ones with one transpose op each;
//  - the loss gradient w.r.t. the outputs is computed by the caller in JS (the outputs are read
//    back once), so no loss ops run on the device at all.
// A forward+backward of the PPO actor-critic is ~17 kernels. `predictJs` runs the same network
// in plain JS (exact tanh), which beats any backend for the tiny batches of acting.

import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { getTf } from '../backend';

export type Activation = 'tanh' | 'relu';

export interface MlpSpec {
  /** Size of the input vector. */
  input: number;
  /** Hidden layer widths, the same for every tower (e.g. [64, 64]). */
  hidden: number[];
  /** Output size of each tower (e.g. [nActions, 1] for actor + critic; [nActions] for a Q-net). */
  towers: number[];
  activation: Activation;
  /**
   * Run the towers as ONE block-diagonal network on the device (fewer kernels, twice the
   * arithmetic in the hidden layers for two towers) instead of one small network per tower.
   * Default: separate (measured faster on wasm for 64-wide layers; docs/engine-performance.md).
   */
  fuseTowers?: boolean;
}

export interface LayerOffsets {
  w: number;
  b: number;
  in: number;
  out: number;
}

/** Per tower, per layer: where W and b live in the flat vector. */
export type MlpLayout = LayerOffsets[][];

/** What the caller's loss returns from the outputs: dLoss/dOutputs, same layout [batch, sum(towers)]. */
export type LossGradFn = (out: Float32Array, dOut: Float32Array) => void;

export interface TrainPass {
  /** Network outputs, [batch, sum(towers)] row-major (tower t's outputs at column offset outOffset(t)). */
  readonly out: Float32Array;
  /**
   * Backpropagates dLoss/dOut. OVERWRITES grad[0 .. nParams) with dLoss/dParams; when `dx` is given,
   * writes dLoss/dInput ([batch, input]) into it. Frees the pass's tensors.
   */
  backward(dOut: Float32Array, grad: Float32Array, dx?: Float32Array): void;
  /** Frees the pass's tensors without a backward (idempotent). */
  dispose(): void;
}

// σ(40) is exactly 1 in float32, so this column is a constant 1 that carries the next bias.
const ONES_BIAS_SIGMOID = 40;

export class Mlp {
  readonly nParams: number;
  readonly nOut: number;
  readonly nTowers: number;
  readonly layout: MlpLayout;
  private readonly outOffsets: number[];

  constructor(readonly spec: MlpSpec) {
    if (spec.input < 1 || spec.towers.length < 1 || spec.towers.some((o) => o < 1) || spec.hidden.some((h) => h < 1))
      throw new Error(`Mlp: bad spec ${JSON.stringify(spec)}`);
    this.nTowers = spec.towers.length;
    const layout: MlpLayout = [];
    let off = 0;
    for (const outSize of spec.towers) {
      const layers: LayerOffsets[] = [];
      const sizes = [spec.input, ...spec.hidden, outSize];
      for (let l = 0; l + 1 < sizes.length; l++) {
        const inN = sizes[l]!;
        const outN = sizes[l + 1]!;
        layers.push({ w: off, b: off + inN * outN, in: inN, out: outN });
        off += inN * outN + outN;
      }
      layout.push(layers);
    }
    this.layout = layout;
    this.nParams = off;
    this.outOffsets = [];
    let o = 0;
    for (const n of spec.towers) {
      this.outOffsets.push(o);
      o += n;
    }
    this.nOut = o;
  }

  /** Column offset of tower t's outputs in a row of `out`. */
  outOffset(t: number): number {
    return this.outOffsets[t]!;
  }

  /**
   * Orthogonal initialisation as Stable-Baselines3 does it: hidden layers with gain √2 (tanh/relu
   * nets alike), each tower's output layer with `outputGains[t]` (SB3: 0.01 policy, 1 value), biases 0.
   */
  init(params: Float32Array, rng: Rng, outputGains: number[] = this.spec.towers.map(() => 1)): void {
    for (let t = 0; t < this.nTowers; t++) {
      const layers = this.layout[t]!;
      layers.forEach((L, l) => {
        const gain = l === layers.length - 1 ? (outputGains[t] ?? 1) : Math.SQRT2;
        orthogonal(params, L.w, L.in, L.out, gain, rng);
        params.fill(0, L.b, L.b + L.out);
      });
    }
  }

  /** Forward pass in plain JS (exact tanh, float64 sums): for acting on small batches. Writes [batch, nOut] into `out`. */
  predictJs(params: Float32Array, x: ArrayLike<number>, batch: number, out: Float32Array = new Float32Array(batch * this.nOut)): Float32Array {
    return this.compileJs(params).forward(x, batch, out);
  }

  /**
   * A plain-JS copy of the network for repeated acting with FIXED parameters (e.g. one rollout):
   * weights transposed once so each unit is a dot product held in a register (about twice as fast
   * as the axpy form). Recompile after the parameters change.
   */
  compileJs(params: Float32Array): JsForward {
    return new JsForward(this, params);
  }

  /** Forward pass on the tfjs backend (one dataSync); for large batches (e.g. target networks). */
  predict(params: Float32Array, x: ArrayLike<number>, batch: number): Float32Array {
    const pass = this.trainPass(params, x, batch);
    const out = pass.out;
    pass.dispose();
    return out;
  }

  /** Forward on the tfjs backend keeping what the backward pass needs. Call backward() or dispose(). */
  trainPass(params: Float32Array, x: ArrayLike<number>, batch: number): TrainPass {
    const all = this.spec.towers.map((_, t) => t);
    if (this.nTowers === 1 || this.spec.fuseTowers) return new TfTrainPass(this, params, x, batch, all);
    return new TowerPasses(this, all.map((t) => new TfTrainPass(this, params, x, batch, [t])), batch);
  }

  /** Convenience: forward, the caller's loss gradient in JS, backward. Returns the outputs. */
  forwardBackward(params: Float32Array, x: ArrayLike<number>, batch: number, lossGrad: LossGradFn, grad: Float32Array, dx?: Float32Array): Float32Array {
    const pass = this.trainPass(params, x, batch);
    try {
      const dOut = new Float32Array(batch * this.nOut);
      lossGrad(pass.out, dOut);
      pass.backward(dOut, grad, dx);
      return pass.out;
    } finally {
      pass.dispose();
    }
  }
}

/** See Mlp.compileJs. */
export class JsForward {
  private readonly towers: { wt: Float64Array; b: Float64Array; in: number; out: number }[][];
  private bufA: Float64Array;
  private bufB: Float64Array;
  private xin: Float64Array;

  constructor(
    private readonly net: Mlp,
    params: Float32Array,
  ) {
    this.towers = net.layout.map((layers) =>
      layers.map((L) => {
        const wt = new Float64Array(L.in * L.out);
        for (let i = 0; i < L.in; i++) for (let j = 0; j < L.out; j++) wt[j * L.in + i] = params[L.w + i * L.out + j]!;
        return { wt, b: Float64Array.from(params.subarray(L.b, L.b + L.out)), in: L.in, out: L.out };
      }),
    );
    this.bufA = new Float64Array(0);
    this.bufB = new Float64Array(0);
    this.xin = new Float64Array(0);
  }

  forward(x: ArrayLike<number>, batch: number, out: Float32Array = new Float32Array(batch * this.net.nOut)): Float32Array {
    const { input, hidden, activation } = this.net.spec;
    const width = Math.max(1, ...hidden);
    if (this.bufA.length < batch * width) {
      this.bufA = new Float64Array(batch * width);
      this.bufB = new Float64Array(batch * width);
    }
    if (this.xin.length < batch * input) this.xin = new Float64Array(batch * input);
    const xin = this.xin;
    for (let k = 0; k < batch * input; k++) xin[k] = x[k]!;
    const nOut = this.net.nOut;
    for (let t = 0; t < this.towers.length; t++) {
      const layers = this.towers[t]!;
      const oo = this.net.outOffset(t);
      let cur = xin;
      let nxt = this.bufA;
      for (let l = 0; l < layers.length; l++) {
        const { wt, b, in: nin, out: nout } = layers[l]!;
        denseJs(cur, nxt, wt, b, nin, nout, batch);
        if (l === layers.length - 1) {
          for (let r = 0; r < batch; r++) for (let j = 0; j < nout; j++) out[r * nOut + oo + j] = nxt[r * nout + j]!;
        } else if (activation === 'tanh') tanhJs(nxt, batch * nout);
        else reluJs(nxt, batch * nout);
        cur = nxt;
        nxt = nxt === this.bufA ? this.bufB : this.bufA;
      }
    }
    return out;
  }
}

// Monomorphic, branch-free kernels of the JS forward (V8 optimises these best).
function denseJs(cur: Float64Array, nxt: Float64Array, wt: Float64Array, b: Float64Array, nin: number, nout: number, batch: number): void {
  for (let r = 0; r < batch; r++) {
    const ro = r * nin;
    const oo = r * nout;
    for (let j = 0; j < nout; j++) {
      let s = b[j]!;
      const wo = j * nin;
      for (let i = 0; i < nin; i++) s += cur[ro + i]! * wt[wo + i]!;
      nxt[oo + j] = s;
    }
  }
}

function tanhJs(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) a[k] = Math.tanh(a[k]!);
}

function reluJs(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) if (a[k]! < 0) a[k] = 0;
}

/** Several single-tower passes seen as one: outputs interleaved into [batch, nOut]. */
class TowerPasses implements TrainPass {
  readonly out: Float32Array;

  constructor(
    private readonly mlp: Mlp,
    private readonly passes: TfTrainPass[],
    private readonly batch: number,
  ) {
    const nOut = mlp.nOut;
    this.out = new Float32Array(batch * nOut);
    for (const p of passes) {
      const t = p.towerSet[0]!;
      const o = mlp.outOffset(t);
      const w = p.nOut;
      for (let r = 0; r < batch; r++) for (let j = 0; j < w; j++) this.out[r * nOut + o + j] = p.out[r * w + j]!;
    }
  }

  backward(dOut: Float32Array, grad: Float32Array, dx?: Float32Array): void {
    const nOut = this.mlp.nOut;
    this.passes.forEach((p, k) => {
      const o = this.mlp.outOffset(p.towerSet[0]!);
      const w = p.nOut;
      const d = new Float32Array(this.batch * w);
      for (let r = 0; r < this.batch; r++) for (let j = 0; j < w; j++) d[r * w + j] = dOut[r * nOut + o + j]!;
      p.backward(d, grad, dx, k > 0);
    });
  }

  dispose(): void {
    for (const p of this.passes) p.dispose();
  }
}

/** Fills W [rows, cols] at `off` with a (semi-)orthogonal matrix times `gain` (Gram–Schmidt on Gaussian noise). */
function orthogonal(params: Float32Array, off: number, rows: number, cols: number, gain: number, rng: Rng): void {
  // Orthonormalise the shorter side's vectors.
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const vecs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(len);
    for (;;) {
      for (let i = 0; i < len; i++) v[i] = rng.normal();
      for (const u of vecs) {
        let d = 0;
        for (let i = 0; i < len; i++) d += u[i]! * v[i]!;
        for (let i = 0; i < len; i++) v[i] -= d * u[i]!;
      }
      let norm = 0;
      for (let i = 0; i < len; i++) norm += v[i]! * v[i]!;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let i = 0; i < len; i++) v[i] /= norm;
        break;
      }
    }
    vecs.push(v);
  }
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) params[off + r * cols + c] = gain * (rows <= cols ? vecs[r]![c]! : vecs[c]![r]!);
}

/**
 * Device matrices of one layer, "augmented": [inAug, outAug] with the bias as the last input row
 * and (for hidden layers) one extra output column that produces the constant 1 for the next layer.
 * Towers are laid out block-diagonally.
 */
interface AugLayer {
  inAug: number;
  outAug: number;
  /** Input width without the ones column (sum over towers, or the input size for layer 0). */
  inN: number;
  /** Output width without the ones column. */
  outN: number;
  hiddenLayer: boolean;
}

class TfTrainPass implements TrainPass {
  readonly out: Float32Array;
  private readonly tf: typeof tfTypes;
  private readonly layers: AugLayer[];
  /** A_l uploaded, [inAug, outAug]. */
  private readonly A: tfTypes.Tensor2D[] = [];
  /** Augmented activations: S_{-1} = x with ones; S_l for hidden l. */
  private readonly S: tfTypes.Tensor2D[] = [];
  /** A_l in JS, for the transposes the backward pass needs. */
  private readonly aHost: Float32Array[] = [];
  private readonly xAugT: Float32Array;
  private readonly outT: tfTypes.Tensor2D;
  private disposed = false;
  /** Output width of this pass (sum over its towers) and each tower's column offset in it. */
  readonly nOut: number;
  private readonly outOffsets: number[];

  constructor(
    private readonly mlp: Mlp,
    private readonly params: Float32Array,
    x: ArrayLike<number>,
    private readonly batch: number,
    /** The towers this pass computes (block-diagonally when more than one). */
    readonly towerSet: number[],
  ) {
    const tf = getTf();
    this.tf = tf;
    const { input, hidden, towers, activation } = mlp.spec;
    const T = towerSet.length;
    this.outOffsets = [];
    let o = 0;
    for (const t of towerSet) {
      this.outOffsets.push(o);
      o += towers[t]!;
    }
    this.nOut = o;
    const nL = hidden.length + 1;
    this.layers = [];
    for (let l = 0; l < nL; l++) {
      const inN = l === 0 ? input : T * hidden[l - 1]!;
      const hiddenLayer = l < nL - 1;
      const outN = hiddenLayer ? T * hidden[l]! : this.nOut;
      this.layers.push({ inAug: inN + 1, outAug: hiddenLayer ? outN + 1 : outN, inN, outN, hiddenLayer });
    }
    // x with a ones column, and its transpose (for the first layer's weight gradient).
    const xa = new Float32Array(batch * (input + 1));
    const xat = new Float32Array(batch * (input + 1));
    for (let r = 0; r < batch; r++) {
      for (let i = 0; i < input; i++) {
        const v = x[r * input + i]!;
        xa[r * (input + 1) + i] = v;
        xat[i * batch + r] = v;
      }
      xa[r * (input + 1) + input] = 1;
      xat[input * batch + r] = 1;
    }
    this.xAugT = xat;
    const sigmoidTanh = activation === 'tanh';
    const xT = tf.tensor2d(xa, [batch, input + 1]);
    this.S.push(xT);
    let cur = xT;
    for (let l = 0; l < nL; l++) {
      const host = this.buildA(l, sigmoidTanh);
      this.aHost.push(host);
      const a = tf.tensor2d(host, [this.layers[l]!.inAug, this.layers[l]!.outAug]);
      this.A.push(a);
      const hiddenLayer = this.layers[l]!.hiddenLayer;
      cur = tf.fused.matMul({ a: cur, b: a, activation: hiddenLayer ? (sigmoidTanh ? 'sigmoid' : 'relu') : 'linear' }) as tfTypes.Tensor2D;
      if (hiddenLayer) this.S.push(cur);
    }
    this.outT = cur;
    this.out = this.outT.dataSync() as Float32Array;
  }

  /** Builds A_l in JS from the flat parameters (see the header for the tanh → sigmoid folding). */
  private buildA(l: number, sigmoidTanh: boolean): Float32Array {
    const L = this.layers[l]!;
    const { hidden } = this.mlp.spec;
    const A = new Float32Array(L.inAug * L.outAug);
    const p = this.params;
    // Scale of W and how much of colsum(W) moves into the bias, per the folding:
    //  layer 0 (input x):      arg = 2(xW + b)           → [2W; 2b]         (tanh) | [W; b] (relu)
    //  hidden l ≥ 1 (h=2s−1):  arg = 2((2s−1)W + b)       → [4W; 2(b − ΣW)]
    //  output (h=2s−1):        out = (2s−1)W + b          → [2W; b − ΣW]
    const foldInput = sigmoidTanh && l > 0;
    const outScale = sigmoidTanh && L.hiddenLayer ? 2 : 1;
    const wScale = outScale * (foldInput ? 2 : 1);
    for (let k = 0; k < this.towerSet.length; k++) {
      const P = this.mlp.layout[this.towerSet[k]!]![l]!;
      const rowOff = l === 0 ? 0 : k * hidden[l - 1]!;
      const colOff = L.hiddenLayer ? k * hidden[l]! : this.outOffsets[k]!;
      for (let j = 0; j < P.out; j++) {
        let colSum = 0;
        for (let i = 0; i < P.in; i++) {
          const w = p[P.w + i * P.out + j]!;
          colSum += w;
          A[(rowOff + i) * L.outAug + colOff + j] = wScale * w;
        }
        const b = p[P.b + j]!;
        A[L.inN * L.outAug + colOff + j] = outScale * (foldInput ? b - colSum : b);
      }
    }
    if (L.hiddenLayer) A[L.inN * L.outAug + L.outN] = sigmoidTanh ? ONES_BIAS_SIGMOID : 1;
    return A;
  }

  backward(dOut: Float32Array, grad: Float32Array, dx?: Float32Array, accumulateDx = false): void {
    if (this.disposed) throw new Error('TrainPass.backward called after dispose');
    const tf = this.tf;
    const nL = this.layers.length;
    const sigmoidTanh = this.mlp.spec.activation === 'tanh';
    const batch = this.batch;
    tf.tidy(() => {
      // g = dLoss/d(output of layer l), [batch, outAug]
      let g: tfTypes.Tensor2D = tf.tensor2d(dOut, [batch, this.nOut]);
      for (let l = nL - 1; l >= 0; l--) {
        const L = this.layers[l]!;
        let dU = g;
        if (L.hiddenLayer) {
          const s = this.S[l + 1]!;
          dU = sigmoidTanh ? tf.mul(g, tf.sub(s, tf.mul(s, s))) : tf.mul(g, tf.step(s));
        }
        const sInT = l === 0 ? tf.tensor2d(this.xAugT, [L.inAug, batch]) : tf.transpose(this.S[l]!);
        const dA = tf.fused.matMul({ a: sInT, b: dU }).dataSync() as Float32Array;
        this.scatterGrad(l, dA, grad, sigmoidTanh);
        if (l > 0 || dx) {
          const aT = tf.tensor2d(this.transposeA(l), [L.outAug, L.inAug]);
          g = tf.fused.matMul({ a: dU, b: aT }) as tfTypes.Tensor2D;
          if (l === 0 && dx) {
            const dxa = g.dataSync();
            const input = this.mlp.spec.input;
            for (let r = 0; r < batch; r++)
              for (let i = 0; i < input; i++) dx[r * input + i] = (accumulateDx ? dx[r * input + i]! : 0) + dxa[r * (input + 1) + i]!;
          }
        }
      }
    });
    this.dispose();
  }

  private transposeA(l: number): Float32Array {
    const L = this.layers[l]!;
    const src = this.aHost[l]!;
    const t = new Float32Array(L.inAug * L.outAug);
    for (let i = 0; i < L.inAug; i++) for (let j = 0; j < L.outAug; j++) t[j * L.inAug + i] = src[i * L.outAug + j]!;
    return t;
  }

  /** dA_l → dW, db in the flat layout, undoing the folding of buildA (chain rule through the scales). */
  private scatterGrad(l: number, dA: Float32Array, grad: Float32Array, sigmoidTanh: boolean): void {
    const L = this.layers[l]!;
    const { hidden } = this.mlp.spec;
    const foldInput = sigmoidTanh && l > 0;
    const outScale = sigmoidTanh && L.hiddenLayer ? 2 : 1;
    const wScale = outScale * (foldInput ? 2 : 1);
    for (let k = 0; k < this.towerSet.length; k++) {
      const P = this.mlp.layout[this.towerSet[k]!]![l]!;
      const rowOff = l === 0 ? 0 : k * hidden[l - 1]!;
      const colOff = L.hiddenLayer ? k * hidden[l]! : this.outOffsets[k]!;
      for (let j = 0; j < P.out; j++) {
        const dBiasEntry = dA[L.inN * L.outAug + colOff + j]!;
        // A_bias = outScale·(b − [fold]ΣW) ⇒ db = outScale·dA_bias, and each W gets −outScale·dA_bias when folded.
        grad[P.b + j] = outScale * dBiasEntry;
        const fromBias = foldInput ? -outScale * dBiasEntry : 0;
        for (let i = 0; i < P.in; i++) grad[P.w + i * P.out + j] = wScale * dA[(rowOff + i) * L.outAug + colOff + j]! + fromBias;
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.A) t.dispose();
    for (const t of this.S) t.dispose();
    this.outT.dispose();
  }
}

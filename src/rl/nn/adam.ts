// Adam on a flat Float32Array of parameters, in plain JS.
//
// Why not tfjs: the whole optimiser is one pass over a few thousand floats (~20 µs), whereas
// the same update as tensor ops costs ~15 kernel dispatches per step on wasm. Keeping the
// moments in JS also makes them trivially checkpointable and bit-exact on restore.

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Number of steps taken (for bias correction). */
  t: number;
}

export class Adam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  t = 0;

  constructor(
    readonly size: number,
    public beta1 = 0.9,
    public beta2 = 0.999,
    public eps = 1e-8,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** params -= lr * mHat / (sqrt(vHat) + eps), with bias-corrected moments (PyTorch's formula, as SB3 uses). */
  step(params: Float32Array, grad: Float32Array, lr: number): void {
    if (params.length < this.size || grad.length < this.size) throw new Error(`Adam.step: expected ${this.size} parameters and gradients`);
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    const stepSize = lr / c1;
    const sc2 = Math.sqrt(c2);
    const eps = this.eps;
    const m = this.m;
    const v = this.v;
    for (let i = 0; i < this.size; i++) {
      const g = grad[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = params[i]! - (stepSize * mi) / (Math.sqrt(vi) / sc2 + eps);
    }
  }

  getState(): AdamState {
    return { m: this.m.slice(), v: this.v.slice(), t: this.t };
  }

  setState(s: AdamState): void {
    if (s.m.length !== this.size || s.v.length !== this.size)
      throw new Error(`Adam state has ${s.m.length} moments, this optimiser has ${this.size} parameters`);
    this.m.set(s.m);
    this.v.set(s.v);
    this.t = s.t;
  }

  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}

/** Global L2 norm of `grad` (first `n` entries). */
export function gradNorm(grad: Float32Array, n = grad.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += grad[i]! * grad[i]!;
  return Math.sqrt(s);
}

/** Scales `grad` in place so its global norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. */
export function clipGradNorm(grad: Float32Array, maxNorm: number, n = grad.length): number {
  const norm = gradNorm(grad, n);
  if (Number.isFinite(maxNorm) && maxNorm > 0 && norm > maxNorm) {
    const k = maxNorm / (norm + 1e-6);
    for (let i = 0; i < n; i++) grad[i] = grad[i]! * k;
  }
  return norm;
}

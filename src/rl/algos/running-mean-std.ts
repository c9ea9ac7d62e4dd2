// Running mean and variance of observations (Stable-Baselines3's RunningMeanStd + VecNormalize
// observation part): batch moments merged with Chan's parallel formula, normalised values
// clipped to ±clip. Float64 statistics, saved in checkpoints.

export interface RunningMeanStdState {
  mean: Float64Array;
  var: Float64Array;
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count = 1e-4; // SB3's epsilon start, so the first batch dominates

  constructor(
    readonly dim: number,
    readonly clip = 10,
    readonly eps = 1e-8,
  ) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
  }

  /** Merges a batch of `rows` observations ([rows, dim] row-major). */
  update(x: ArrayLike<number>, rows: number): void {
    const d = this.dim;
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let r = 0; r < rows; r++) m += x[r * d + j]!;
      m /= rows;
      let v = 0;
      for (let r = 0; r < rows; r++) v += (x[r * d + j]! - m) ** 2;
      v /= rows;
      const delta = m - this.mean[j]!;
      const tot = this.count + rows;
      const newMean = this.mean[j]! + (delta * rows) / tot;
      const m2 = this.var[j]! * this.count + v * rows + (delta * delta * this.count * rows) / tot;
      this.mean[j] = newMean;
      this.var[j] = m2 / tot;
    }
    this.count += rows;
  }

  /** (x − mean) / sqrt(var + eps), clipped; writes [rows, dim] into `out`. */
  normalise(x: ArrayLike<number>, rows: number, out: Float32Array): Float32Array {
    const d = this.dim;
    for (let j = 0; j < d; j++) {
      const m = this.mean[j]!;
      const s = Math.sqrt(this.var[j]! + this.eps);
      for (let r = 0; r < rows; r++) {
        const v = (x[r * d + j]! - m) / s;
        out[r * d + j] = v > this.clip ? this.clip : v < -this.clip ? -this.clip : v;
      }
    }
    return out;
  }

  setState(s: RunningMeanStdState): void {
    if (s.mean.length !== this.dim || s.var.length !== this.dim) throw new Error(`observation statistics have ${s.mean.length} dims, the env has ${this.dim}`);
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}

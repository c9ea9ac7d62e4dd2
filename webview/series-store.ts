// The webview's copy of the run's metric series, in bounded memory however long the run.
//
// Each series is kept as min/max buckets of k consecutive points: a bucket remembers its
// lowest and highest point, so spikes survive. When a series holds more than `maxBuckets`
// buckets, neighbours merge (exactly: the min of two mins, the max of two maxes) and k
// doubles. `drawn()` reduces the at most 2·maxBuckets bucket points to the point budget with
// LTTB — the algorithm of Chart.js' decimation plugin, run here so a live update can skip
// Chart.js' full update (which is where the plugin runs). Each chart update costs
// O(maxBuckets), not O(points received), which keeps a live update of a 200k-point series
// within a frame. A chart is handed the same array each time, rewritten by index and length:
// Chart.js patches the arrays it is given (push, splice) to track changes, which would make
// every append create chart elements; writes by index go past those hooks, and each redraw
// resyncs the chart's elements with the array's length (`buildOrUpdateElements`).

import type { SeriesChunk } from '../src/shared/webview-protocol';

export interface XY {
  x: number;
  y: number;
}

/**
 * One series' min/max buckets, in typed arrays: a live append writes numbers into them and
 * allocates nothing, so a long run's updates leave no garbage behind for V8's major GC to
 * collect (its pauses were the slowest live updates). A bucket's min and max are one point
 * exactly when `!(minY < maxY)`: a later point only replaces the min when strictly lower and the
 * max when strictly higher, and merges keep that (ties keep the earlier bucket's point).
 */
export class ReducedSeries {
  private readonly minX: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxX: Float64Array;
  private readonly maxY: Float64Array;
  /** Points in each bucket. */
  private readonly n: Float64Array;
  private length = 0;
  private k = 1;
  count = 0;
  lastX = -Infinity;
  private lastY = NaN;
  /** The newest point as received (a bucket shows only its extremes); one object, rewritten. */
  private readonly lastPoint: XY = { x: 0, y: 0 };
  /** Bucket points in step order, rebuilt by `drawn` (at most 2·maxBuckets). */
  private readonly px: Float64Array;
  private readonly py: Float64Array;
  /** What `drawn` hands out: one array and its point objects, rewritten on each call. */
  private readonly out: XY[] = [];
  private readonly pool: XY[] = [];

  constructor(private readonly maxBuckets: number) {
    const cap = maxBuckets + 1;
    this.minX = new Float64Array(cap);
    this.minY = new Float64Array(cap);
    this.maxX = new Float64Array(cap);
    this.maxY = new Float64Array(cap);
    this.n = new Float64Array(cap);
    this.px = new Float64Array(2 * cap);
    this.py = new Float64Array(2 * cap);
  }

  /** Points per bucket (1 until the series first outgrows its buckets). */
  get bucketSize(): number {
    return this.k;
  }

  get last(): XY | undefined {
    if (!this.count) return undefined;
    this.lastPoint.x = this.lastX;
    this.lastPoint.y = this.lastY;
    return this.lastPoint;
  }

  push(x: number, y: number): void {
    const i = this.length - 1;
    if (i < 0 || this.n[i]! >= this.k) {
      const j = this.length++;
      this.minX[j] = this.maxX[j] = x;
      this.minY[j] = this.maxY[j] = y;
      this.n[j] = 1;
    } else {
      if (y < this.minY[i]!) {
        this.minX[i] = x;
        this.minY[i] = y;
      } else if (y > this.maxY[i]!) {
        this.maxX[i] = x;
        this.maxY[i] = y;
      }
      this.n[i]!++;
    }
    this.count++;
    this.lastX = x;
    this.lastY = y;
    if (this.length > this.maxBuckets) this.halve();
  }

  /** Merges neighbours in place (bucket i/2 is written after buckets i and i+1 are read). */
  private halve(): void {
    const { minX, minY, maxX, maxY, n } = this;
    let w = 0;
    for (let i = 0; i < this.length; i += 2, w++) {
      if (i + 1 >= this.length) {
        minX[w] = minX[i]!;
        minY[w] = minY[i]!;
        maxX[w] = maxX[i]!;
        maxY[w] = maxY[i]!;
        n[w] = n[i]!;
        continue;
      }
      const b = i + 1;
      const bMin = minY[b]! < minY[i]!;
      const bMax = maxY[b]! > maxY[i]!;
      minX[w] = bMin ? minX[b]! : minX[i]!;
      minY[w] = bMin ? minY[b]! : minY[i]!;
      maxX[w] = bMax ? maxX[b]! : maxX[i]!;
      maxY[w] = bMax ? maxY[b]! : maxY[i]!;
      n[w] = n[i]! + n[b]!;
    }
    this.length = w;
    this.k *= 2;
  }

  /** Writes the bucket points in step order into px/py (each bucket's min and max, earlier first); returns how many. */
  private flatten(): number {
    const { minX, minY, maxX, maxY, px, py } = this;
    let m = 0;
    for (let i = 0; i < this.length; i++) {
      if (!(minY[i]! < maxY[i]!)) {
        px[m] = minX[i]!;
        py[m++] = minY[i]!;
      } else if (minX[i]! <= maxX[i]!) {
        px[m] = minX[i]!;
        py[m++] = minY[i]!;
        px[m] = maxX[i]!;
        py[m++] = maxY[i]!;
      } else {
        px[m] = maxX[i]!;
        py[m++] = maxY[i]!;
        px[m] = minX[i]!;
        py[m++] = minY[i]!;
      }
    }
    return m;
  }

  /** The reduced series in step order, as a fresh array: each bucket's min and max, earlier one first. */
  points(): XY[] {
    const m = this.flatten();
    const out: XY[] = [];
    for (let i = 0; i < m; i++) out.push({ x: this.px[i]!, y: this.py[i]! });
    return out;
  }

  /**
   * At most `samples` points of the series, reduced by largest-triangle-three-buckets (first
   * and last kept; the same selection as Chart.js' decimation plugin, `algorithm: 'lttb'`, on
   * the typed arrays; test/webview/series-store.test.ts checks it against a plain version). The array and its point objects belong to the series and are rewritten by the next
   * call: a chart keeps drawing from the same array, which Chart.js resyncs its elements with
   * (see charts.ts), and a live update allocates nothing here.
   */
  drawn(samples: number): XY[] {
    const count = this.flatten();
    const { px, py, out } = this;
    let m = 0;
    const put = (j: number): void => {
      let p = this.pool[m];
      if (!p) {
        p = { x: 0, y: 0 };
        this.pool.push(p);
      }
      p.x = px[j]!;
      p.y = py[j]!;
      out[m++] = p;
    };
    if (samples >= count || samples < 3) {
      for (let j = 0; j < count; j++) put(j);
    } else {
      put(0);
      const bucketWidth = (count - 2) / (samples - 2);
      let a = 0;
      for (let i = 0; i < samples - 2; i++) {
        const avgStart = Math.floor((i + 1) * bucketWidth) + 1;
        const avgEnd = Math.min(Math.floor((i + 2) * bucketWidth) + 1, count);
        let avgX = 0;
        let avgY = 0;
        for (let j = avgStart; j < avgEnd; j++) {
          avgX += px[j]!;
          avgY += py[j]!;
        }
        avgX /= avgEnd - avgStart;
        avgY /= avgEnd - avgStart;
        const from = Math.floor(i * bucketWidth) + 1;
        const to = Math.min(Math.floor((i + 1) * bucketWidth) + 1, count);
        const ax = px[a]!;
        const ay = py[a]!;
        let maxArea = -1;
        let next = from;
        for (let j = from; j < to; j++) {
          const area = 0.5 * Math.abs((ax - avgX) * (py[j]! - ay) - (ax - px[j]!) * (avgY - ay));
          if (area > maxArea) {
            maxArea = area;
            next = j;
          }
        }
        put(next);
        a = next;
      }
      put(count - 1);
    }
    // Shortening by index keeps Chart.js' array hooks (push, splice) out of it.
    if (out.length !== m) out.length = m;
    return out;
  }
}

export class SeriesStore {
  private readonly series = new Map<string, ReducedSeries>();
  /** Keys changed since the last `takeChanged()`. */
  private readonly changed = new Set<string>();

  /** @param maxBuckets per series; Chart.js receives up to twice this many points. */
  constructor(private maxBuckets = 2000) {}

  setMaxBuckets(n: number): void {
    this.maxBuckets = n;
  }

  /** How many series. */
  get size(): number {
    return this.series.size;
  }

  keys(): string[] {
    return [...this.series.keys()];
  }

  has(key: string): boolean {
    return this.series.has(key);
  }

  private get(key: string): ReducedSeries {
    let s = this.series.get(key);
    if (!s) {
      s = new ReducedSeries(this.maxBuckets);
      this.series.set(key, s);
    }
    return s;
  }

  /** A fresh array of the reduced points of a series (at most 2·maxBuckets). */
  points(key: string): XY[] {
    return this.series.get(key)?.points() ?? [];
  }

  /**
   * At most `budget` points of a series, reduced by LTTB: what a chart draws. The same array
   * (and point objects) for a series each time, rewritten by each call.
   */
  drawn(key: string, budget: number): XY[] {
    const s = this.series.get(key);
    return s ? s.drawn(budget) : [];
  }

  /** The newest point received for a series. */
  last(key: string): XY | undefined {
    return this.series.get(key)?.last;
  }

  /** Points received for a series (before reduction). */
  count(key: string): number {
    return this.series.get(key)?.count ?? 0;
  }

  clear(): void {
    this.series.clear();
    this.changed.clear();
  }

  /**
   * Appends a chunk. Points at a step before the series' last one are dropped: the
   * decimation plugin binary-searches by x, so a series must stay sorted. Returns how many
   * points were kept.
   */
  append(chunk: SeriesChunk): number {
    const s = this.get(chunk.key);
    let kept = 0;
    const { steps, values } = chunk;
    for (let i = 0; i < steps.length; i++) {
      const x = steps[i]!;
      if (x < s.lastX) continue;
      s.push(x, values[i]!);
      kept++;
    }
    if (kept) this.changed.add(chunk.key);
    return kept;
  }

  /** Keys changed since the last call (a fresh set: callers keep it). */
  takeChanged(): Set<string> {
    const c = new Set(this.changed);
    this.changed.clear();
    return c;
  }

  /** Forgets which keys changed (for callers that do not need the set). */
  clearChanged(): void {
    this.changed.clear();
  }

  lastStep(): number {
    let m = 0;
    for (const s of this.series.values()) if (s.count) m = Math.max(m, s.lastX);
    return m;
  }
}

// The webview's copy of the run's metric series, in bounded memory however long the run.
//
// Each series is kept as min/max buckets of k consecutive points: a bucket remembers its
// lowest and highest point, so spikes survive. When a series holds more than `maxBuckets`
// buckets, neighbours merge (exactly: the min of two mins, the max of two maxes) and k
// doubles. `drawn()` reduces the at most 2·maxBuckets bucket points to the point budget with
// LTTB — the algorithm of Chart.js' decimation plugin, run here so a live update can skip
// Chart.js' full update (which is where the plugin runs). Each chart update costs
// O(maxBuckets), not O(points received), which keeps a live update of a 200k-point series
// within a frame. Chart.js is handed a fresh array each time: it patches the arrays it is
// given (push, splice) to track changes, which would make every append create chart elements.

import type { SeriesChunk } from '../src/shared/webview-protocol';

export interface XY {
  x: number;
  y: number;
}

interface Bucket {
  min: XY;
  max: XY;
  n: number;
}

export class ReducedSeries {
  private buckets: Bucket[] = [];
  private k = 1;
  count = 0;
  lastX = -Infinity;
  /** The newest point as received (a bucket shows only its extremes). */
  last: XY | undefined;

  constructor(private readonly maxBuckets: number) {}

  /** Points per bucket (1 until the series first outgrows its buckets). */
  get bucketSize(): number {
    return this.k;
  }

  push(x: number, y: number): void {
    const p = { x, y };
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.n >= this.k) {
      b = { min: p, max: p, n: 0 };
      this.buckets.push(b);
    } else if (y < b.min.y) b.min = p;
    else if (y > b.max.y) b.max = p;
    b.n++;
    this.count++;
    this.lastX = x;
    this.last = p;
    if (this.buckets.length > this.maxBuckets) this.halve();
  }

  private halve(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i]!;
      const b = this.buckets[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      merged.push({ min: b.min.y < a.min.y ? b.min : a.min, max: b.max.y > a.max.y ? b.max : a.max, n: a.n + b.n });
    }
    this.buckets = merged;
    this.k *= 2;
  }

  /** The reduced series in step order: each bucket's min and max, earlier one first. */
  points(): XY[] {
    const out: XY[] = [];
    for (const b of this.buckets) {
      if (b.min === b.max) out.push(b.min);
      else if (b.min.x <= b.max.x) out.push(b.min, b.max);
      else out.push(b.max, b.min);
    }
    return out;
  }
}

/**
 * Largest-triangle-three-buckets down to `samples` points (first and last kept), the same
 * selection as Chart.js' decimation plugin (`algorithm: 'lttb'`); a series at or under the
 * budget comes back as a copy.
 */
export function lttb(data: readonly XY[], samples: number): XY[] {
  const count = data.length;
  if (samples >= count || samples < 3) return data.slice();
  const out: XY[] = [data[0]!];
  const bucketWidth = (count - 2) / (samples - 2);
  let a = 0;
  for (let i = 0; i < samples - 2; i++) {
    const avgStart = Math.floor((i + 1) * bucketWidth) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * bucketWidth) + 1, count);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += data[j]!.x;
      avgY += data[j]!.y;
    }
    avgX /= avgEnd - avgStart;
    avgY /= avgEnd - avgStart;
    const from = Math.floor(i * bucketWidth) + 1;
    const to = Math.min(Math.floor((i + 1) * bucketWidth) + 1, count);
    const pa = data[a]!;
    let maxArea = -1;
    let next = from;
    for (let j = from; j < to; j++) {
      const p = data[j]!;
      const area = 0.5 * Math.abs((pa.x - avgX) * (p.y - pa.y) - (pa.x - p.x) * (avgY - pa.y));
      if (area > maxArea) {
        maxArea = area;
        next = j;
      }
    }
    out.push(data[next]!);
    a = next;
  }
  out.push(data[count - 1]!);
  return out;
}

export class SeriesStore {
  private readonly series = new Map<string, ReducedSeries>();
  /** Keys changed since the last `takeChanged()`. */
  private changed = new Set<string>();

  /** @param maxBuckets per series; Chart.js receives up to twice this many points. */
  constructor(private maxBuckets = 2000) {}

  setMaxBuckets(n: number): void {
    this.maxBuckets = n;
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

  /** A fresh array of at most `budget` points of a series, reduced by LTTB: what a chart draws. */
  drawn(key: string, budget: number): XY[] {
    const s = this.series.get(key);
    return s ? lttb(s.points(), budget) : [];
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

  takeChanged(): Set<string> {
    const c = this.changed;
    this.changed = new Set();
    return c;
  }

  lastStep(): number {
    let m = 0;
    for (const s of this.series.values()) if (s.count) m = Math.max(m, s.lastX);
    return m;
  }
}

// The webview's copy of the run's metric series, as the `{x, y}` point arrays Chart.js reads
// without parsing (`parsing: false`, which its decimation plugin requires). The arrays are
// only ever appended to, so the charts can keep referencing them across updates.

import type { SeriesChunk } from '../src/shared/webview-protocol';

export interface XY {
  x: number;
  y: number;
}

export class SeriesStore {
  private readonly series = new Map<string, XY[]>();
  /** Keys changed since the last `takeChanged()`. */
  private changed = new Set<string>();

  keys(): string[] {
    return [...this.series.keys()];
  }

  get(key: string): XY[] {
    let s = this.series.get(key);
    if (!s) {
      s = [];
      this.series.set(key, s);
    }
    return s;
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
    let lastX = s.length ? s[s.length - 1]!.x : -Infinity;
    let kept = 0;
    const { steps, values } = chunk;
    for (let i = 0; i < steps.length; i++) {
      const x = steps[i]!;
      if (x < lastX) continue;
      s.push({ x, y: values[i]! });
      lastX = x;
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
    for (const s of this.series.values()) if (s.length) m = Math.max(m, s[s.length - 1]!.x);
    return m;
  }
}

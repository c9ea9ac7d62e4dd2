// Reading a run's metrics for views and exports without loading them whole: a streaming
// reader (one point at a time, lines replayed after a resume dropped), and a downsampling
// reader that keeps at most N points per series in bounded memory however long the run.

import { streamJsonl } from './jsonl';
import type { RunStore } from './store';
import { checkMetricLine, type MetricPoint, type RunRecord } from './types';

export interface MetricsReadReport {
  points: number;
  /** Lines skipped: malformed, a truncated last line, or superseded by a resumed segment. */
  problems: string[];
  superseded: number;
  truncatedTail: boolean;
}

/**
 * After a resume from the checkpoint at step S, the lines the earlier segment wrote beyond S
 * were replayed by the new segment: a line at byte offset `o` with step `s` is superseded
 * when a later segment starts after `o` from a step below `s`.
 */
function supersededTest(record: RunRecord): (offset: number, step: number) => boolean {
  const cuts = record.segments.slice(1).map((s) => ({ offset: s.metricsOffset, step: s.startStep }));
  if (!cuts.length) return () => false;
  return (offset, step) => cuts.some((c) => offset < c.offset && step > c.step);
}

/** Streams every metric point of a run in file order, calling `onPoint` for each. */
export async function streamMetrics(store: RunStore, id: string, onPoint: (p: MetricPoint) => void | Promise<void>): Promise<MetricsReadReport> {
  const record = store.read(id);
  const superseded = supersededTest(record);
  const report: MetricsReadReport = { points: 0, problems: [], superseded: 0, truncatedTail: false };
  const res = await streamJsonl(store.paths(id).metrics, ({ value, offset, line }): void | Promise<void> => {
    const c = checkMetricLine(value);
    if (!c.ok) {
      report.problems.push(`metrics.jsonl line ${line}: ${c.error}`);
      return;
    }
    if (superseded(offset, c.value.step)) {
      report.superseded++;
      return;
    }
    report.points++;
    return onPoint(c.value);
  });
  report.truncatedTail = res.truncatedTail;
  for (const p of res.problems) report.problems.push(`metrics.jsonl line ${p.line}: ${p.message}`);
  return report;
}

/** One series, downsampled: bucket means of step and value. */
export interface Series {
  key: string;
  steps: number[];
  values: number[];
  /** Points read for this series before downsampling. */
  count: number;
}

/**
 * Keeps at most `max` points per series in O(max) memory: points are averaged in buckets;
 * whenever a series holds 2·max buckets, neighbours merge and the bucket size doubles.
 */
class SeriesDownsampler {
  private steps: number[] = [];
  private values: number[] = [];
  private weights: number[] = [];
  private bucket = 1;
  private accStep = 0;
  private accValue = 0;
  private accN = 0;
  count = 0;

  constructor(private readonly max: number) {}

  add(step: number, value: number): void {
    this.count++;
    this.accStep += step;
    this.accValue += value;
    this.accN++;
    if (this.accN >= this.bucket) this.close();
  }

  private close(): void {
    if (!this.accN) return;
    this.steps.push(this.accStep / this.accN);
    this.values.push(this.accValue / this.accN);
    this.weights.push(this.accN);
    this.accStep = this.accValue = this.accN = 0;
    if (this.steps.length >= 2 * this.max) this.halve();
  }

  private halve(): void {
    const s: number[] = [];
    const v: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < this.steps.length; i += 2) {
      const j = Math.min(i + 1, this.steps.length - 1);
      const wi = this.weights[i]!;
      const wj = j === i ? 0 : this.weights[j]!;
      const n = wi + wj;
      s.push((this.steps[i]! * wi + (j === i ? 0 : this.steps[j]! * wj)) / n);
      v.push((this.values[i]! * wi + (j === i ? 0 : this.values[j]! * wj)) / n);
      w.push(n);
    }
    this.steps = s;
    this.values = v;
    this.weights = w;
    this.bucket *= 2;
  }

  finish(key: string): Series {
    this.close();
    while (this.steps.length > this.max) this.halve();
    return { key, steps: this.steps.map((x) => Math.round(x)), values: this.values, count: this.count };
  }
}

/**
 * Reads a run's metrics into at most `maxPoints` points per series (bucket means), for
 * charts of long runs. `keys` limits the series read (default: all).
 */
export async function downsampleMetrics(
  store: RunStore,
  id: string,
  opts: { maxPoints?: number; keys?: readonly string[] } = {},
): Promise<{ series: Series[]; report: MetricsReadReport }> {
  const max = Math.max(2, opts.maxPoints ?? 1000);
  const only = opts.keys ? new Set(opts.keys) : undefined;
  const per = new Map<string, SeriesDownsampler>();
  const report = await streamMetrics(store, id, (p) => {
    for (const [k, v] of Object.entries(p.scalars)) {
      if (only && !only.has(k)) continue;
      let d = per.get(k);
      if (!d) per.set(k, (d = new SeriesDownsampler(max)));
      d.add(p.step, v);
    }
  });
  const series = [...per.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, d]) => d.finish(k));
  return { series, report };
}

// Reading a run's metrics for views and exports without loading them whole: a streaming
// reader (one point at a time, lines replayed after a resume dropped), and a downsampling
// reader that keeps at most N points per series in bounded memory however long the run.
// The downsampling reader remembers where it stopped for the last few runs it read: the file
// only grows (appends of whole lines), so showing a run again (another row selected and back,
// the side panel hidden and shown, a live run's snapshot) reads only the lines added since,
// not all of a 5M-step run's half a million lines again.

import { statSync } from 'node:fs';
import { isNonNegativeInteger, isRecord } from '../shared/guards';
import { streamJsonl } from './jsonl';
import type { RunStore } from './store';
import type { IntervalMessage } from '../shared/protocol';
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

/** Merges neighbouring buckets pairwise (weighted means): half as many, twice as wide. */
function halve(steps: number[], values: number[], weights: number[]): [number[], number[], number[]] {
  const s: number[] = [];
  const v: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < steps.length; i += 2) {
    if (i + 1 >= steps.length) {
      s.push(steps[i]!);
      v.push(values[i]!);
      w.push(weights[i]!);
      continue;
    }
    const wi = weights[i]!;
    const wj = weights[i + 1]!;
    const n = wi + wj;
    s.push((steps[i]! * wi + steps[i + 1]! * wj) / n);
    v.push((values[i]! * wi + values[i + 1]! * wj) / n);
    w.push(n);
  }
  return [s, v, w];
}

/**
 * Keeps at most `max` points per series in O(max) memory: points are averaged in buckets;
 * whenever a series holds 2·max buckets, neighbours merge and the bucket size doubles.
 * `result` leaves the state as it was, so reading may go on after it (the same buckets as
 * one read of the whole file).
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
    if (this.accN >= this.bucket) {
      this.steps.push(this.accStep / this.accN);
      this.values.push(this.accValue / this.accN);
      this.weights.push(this.accN);
      this.accStep = this.accValue = this.accN = 0;
      if (this.steps.length >= 2 * this.max) {
        [this.steps, this.values, this.weights] = halve(this.steps, this.values, this.weights);
        this.bucket *= 2;
      }
    }
  }

  result(key: string): Series {
    let s = [...this.steps];
    let v = [...this.values];
    let w = [...this.weights];
    if (this.accN) {
      s.push(this.accStep / this.accN);
      v.push(this.accValue / this.accN);
      w.push(this.accN);
    }
    while (s.length > this.max) [s, v, w] = halve(s, v, w);
    return { key, steps: s.map((x) => Math.round(x)), values: v, count: this.count };
  }
}

/** Where a downsampling read of one run stopped, to go on from there next time. */
interface ReadState {
  /** The file it was (a deleted and re-created run has another inode). */
  ino: number;
  /** Bytes read: whole lines up to here. */
  end: number;
  /** Lines read (for the line numbers of problems found later). */
  lines: number;
  /** The segment cuts it was read with: a resume adds one, and lines read may be superseded. */
  cuts: string;
  per: Map<string, SeriesDownsampler>;
  report: MetricsReadReport;
}

/** Read states kept (least recently used dropped): each is O(series · maxPoints). */
const READ_STATES_KEPT = 4;
const readStates = new Map<string, ReadState>();

/** Forgets every remembered read (tests). */
export function forgetMetricReads(): void {
  readStates.clear();
}

/**
 * Reads a run's metrics into at most `maxPoints` points per series (bucket means), for
 * charts of long runs. `keys` limits the series read (default: all). A run read before (one
 * of the last few) is read on from where that read stopped; the result is the same as reading
 * the whole file.
 */
export async function downsampleMetrics(
  store: RunStore,
  id: string,
  opts: { maxPoints?: number; keys?: readonly string[] } = {},
): Promise<{ series: Series[]; report: MetricsReadReport }> {
  const max = Math.max(2, opts.maxPoints ?? 1000);
  const only = opts.keys ? new Set(opts.keys) : undefined;
  const record = store.read(id);
  const path = store.paths(id).metrics;
  const cuts = JSON.stringify(record.segments.slice(1).map((s) => [s.metricsOffset, s.startStep]));
  const cacheKey = `${path}\0${max}\0${opts.keys ? [...opts.keys].sort().join('\0') : '*'}`;
  let size = 0;
  let ino = -1;
  try {
    const st = statSync(path);
    size = st.size;
    ino = st.ino;
  } catch {
    /* no metrics yet: nothing to read */
  }
  // Taken out while reading: a second read of the same run at the same time starts afresh.
  let state = readStates.get(cacheKey);
  readStates.delete(cacheKey);
  if (!state || state.ino !== ino || state.cuts !== cuts || size < state.end) {
    state = { ino, end: 0, lines: 0, cuts, per: new Map(), report: { points: 0, problems: [], superseded: 0, truncatedTail: false } };
  }
  const st = state;
  const superseded = supersededTest(record);
  const report = st.report;
  report.truncatedTail = false;
  let lastLine = 0;
  if (size > st.end) {
    // Up to the size seen now: lines appended meanwhile wait for the next read.
    const res = await streamJsonl(
      path,
      ({ value, offset, line }): void => {
        lastLine = line;
        // checkMetricLine's rule, without building a point per line (this loop reads millions).
        if (!isRecord(value) || !isNonNegativeInteger(value.step)) {
          const c = checkMetricLine(value);
          report.problems.push(`metrics.jsonl line ${st.lines + line}: ${c.ok ? 'unreadable' : c.error}`);
          return;
        }
        const step = value.step;
        if (superseded(offset, step)) {
          report.superseded++;
          return;
        }
        report.points++;
        for (const k in value) {
          if (k === 'step') continue;
          const x = value[k];
          if (typeof x !== 'number' || !Number.isFinite(x) || (only && !only.has(k))) continue;
          let d = st.per.get(k);
          if (!d) st.per.set(k, (d = new SeriesDownsampler(max)));
          d.add(step, x);
        }
      },
      { start: st.end, end: size },
    );
    for (const p of res.problems) {
      report.problems.push(`metrics.jsonl line ${st.lines + p.line}: ${p.message}`);
      lastLine = Math.max(lastLine, p.line);
    }
    report.truncatedTail = res.truncatedTail;
    st.lines += lastLine;
    st.end = size;
  }
  const series = [...st.per.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, d]) => d.result(k));
  const out = { series, report: { ...report, problems: [...report.problems] } };
  // A line cut short by a write in progress is read again next time, from the start.
  if (ino >= 0 && !report.truncatedTail) {
    readStates.set(cacheKey, st);
    while (readStates.size > READ_STATES_KEPT) readStates.delete(readStates.keys().next().value!);
  }
  return out;
}

/**
 * The intervals of a run before `upToStep`, rebuilt from its metrics (what a resumed segment's
 * co-pilot history starts from: the window of returns, the best so far, the run's first
 * interval as the baseline of the scale-free features). Interval i covers steps
 * (i·K, (i+1)·K]; a last partial one ends at `upToStep`. Episodes come from
 * `charts/episodic_return` / `charts/episodic_length`, diagnostics are the means of the
 * `losses/*` scalars in the interval; lines superseded by a replay are left out. Throughput and
 * values are not on disk as intervals: `sps` is 0 and `values` empty.
 */
export async function priorIntervals(store: RunStore, id: string, upToStep: number, interval: number): Promise<IntervalMessage[]> {
  if (!(upToStep > 0) || !(interval > 0)) return [];
  const byIndex = new Map<number, { returns: number[]; lengths: number[]; sums: Map<string, { sum: number; n: number }> }>();
  await streamMetrics(store, id, (p) => {
    if (p.step <= 0 || p.step > upToStep) return;
    const index = Math.ceil(p.step / interval) - 1;
    let b = byIndex.get(index);
    if (!b) byIndex.set(index, (b = { returns: [], lengths: [], sums: new Map() }));
    for (const [k, v] of Object.entries(p.scalars)) {
      if (!Number.isFinite(v)) continue;
      if (k === 'charts/episodic_return') b.returns.push(v);
      else if (k === 'charts/episodic_length') b.lengths.push(v);
      else if (k.startsWith('losses/')) {
        const s = b.sums.get(k) ?? { sum: 0, n: 0 };
        s.sum += v;
        s.n++;
        b.sums.set(k, s);
      }
    }
  });
  return [...byIndex.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const b = byIndex.get(index)!;
      const diagnostics: Record<string, number> = {};
      for (const [k, s] of b.sums) diagnostics[k] = s.sum / s.n;
      return { type: 'interval', index, step: Math.min(upToStep, (index + 1) * interval), episodeReturns: b.returns, episodeLengths: b.lengths, diagnostics, sps: 0, values: {} };
    });
}

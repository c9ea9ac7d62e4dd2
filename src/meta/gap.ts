// The evidence target of meta-training, computed from a bench's results: on each task, for
// each poor start, the fraction of the AUC gap between the poor start and the tuned preset
// (both under the static controller) that a controller recovers from the poor start,
//   recovered = (AUC(ctl, poor) − AUC(static, poor)) / (AUC(static, tuned) − AUC(static, poor)),
// and, for every start (the tuned one too), the controller's AUC minus static's. Intervals
// are 95% percentile bootstraps over seeds, paired: the bench runs every controller on the
// same seeds, so a replicate resamples seed indices once and takes every mean on them (the
// seed's luck is shared, as it is in the runs). "Worse than static by more than the CI"
// means the whole interval of the difference lies below 0.

import type { JobResult } from '../bench/results';
import { mean, quantile } from '../bench/stats';
import { Rng } from '../rl/rng';

export interface Interval {
  point: number;
  lower: number;
  upper: number;
}

export interface StartRow {
  task: string;
  start: string;
  controller: string;
  seeds: number;
  auc: Interval;
  /** Controller minus static on the same start and seeds. */
  vsStatic: Interval;
  /** The whole interval of vsStatic is below 0. */
  worseThanStatic: boolean;
  /** Null for the tuned start (no gap), or when the gap is not positive. */
  recovered: Interval | null;
  /** Runs that reached the threshold, and the median steps among them. */
  reached: number;
  medianStepsToThreshold: number | null;
}

export interface GapReport {
  rows: StartRow[];
  /** Per controller: Σ(ctl − static poor) / Σ(static tuned − static poor) over every task × poor start, bootstrapped per stratum. */
  overall: { controller: string; recovered: Interval; strata: number }[];
}

const TUNED = 'tuned';

function auc(r: JobResult): number {
  return r.metrics?.auc ?? Number.NaN;
}

/**
 * `results`: a bench's job results. Runs pair by seed; a seed missing for any of the three
 * groups a ratio needs (controller poor, static poor, static tuned) is left out of that ratio.
 */
export function gapReport(results: readonly JobResult[], options: { reps?: number; seed?: number } = {}): GapReport {
  const reps = options.reps ?? 2000;
  const done = results.filter((r) => r.status === 'done' && r.kind === 'run' && Number.isFinite(auc(r)));
  const key = (task: string, start: string, ctl: string): string => `${task}\u0000${start}\u0000${ctl}`;
  const bySeed = new Map<string, Map<number, JobResult>>();
  for (const r of done) {
    const k = key(r.taskId, r.start, r.controller);
    if (!bySeed.has(k)) bySeed.set(k, new Map());
    bySeed.get(k)!.set(r.seed, r);
  }
  const tasks = [...new Set(done.map((r) => r.taskId))].sort();
  const controllers = [...new Set(done.map((r) => r.controller))].sort((a, b) => (a === 'static' ? -1 : b === 'static' ? 1 : a.localeCompare(b)));
  const rows: StartRow[] = [];
  // Per controller, the strata of the overall ratio: per seed, (ctl − static poor, static tuned − static poor).
  const strata = new Map<string, { num: number[]; den: number[] }[]>();
  const rng = new Rng(options.seed ?? 0);
  const boot = (n: number, stat: (idx: number[]) => number): Interval => {
    const all = Array.from({ length: n }, (_, i) => i);
    const reps_ = Array.from({ length: reps }, () => stat(Array.from({ length: n }, () => rng.int(n))));
    return { point: stat(all), lower: quantile(reps_.filter(Number.isFinite), 0.025), upper: quantile(reps_.filter(Number.isFinite), 0.975) };
  };
  for (const task of tasks) {
    const starts = [...new Set(done.filter((r) => r.taskId === task).map((r) => r.start))].sort((a, b) => (a === TUNED ? -1 : b === TUNED ? 1 : a.localeCompare(b)));
    const staticTuned = bySeed.get(key(task, TUNED, 'static'));
    for (const start of starts) {
      const staticPoor = bySeed.get(key(task, start, 'static'));
      for (const ctl of controllers) {
        const mine = bySeed.get(key(task, start, ctl));
        if (!mine || !staticPoor) continue;
        const seeds = [...mine.keys()].filter((s) => staticPoor.has(s)).sort((a, b) => a - b);
        if (seeds.length === 0) continue;
        const c = seeds.map((s) => auc(mine.get(s)!));
        const sp = seeds.map((s) => auc(staticPoor.get(s)!));
        const pick = (xs: number[], idx: number[]): number[] => idx.map((i) => xs[i]!);
        const aucI = boot(seeds.length, (idx) => mean(pick(c, idx)));
        const diff = boot(seeds.length, (idx) => mean(pick(c, idx)) - mean(pick(sp, idx)));
        let recovered: Interval | null = null;
        if (start !== TUNED && staticTuned) {
          const gs = seeds.filter((s) => staticTuned.has(s));
          const cg = gs.map((s) => auc(mine.get(s)!));
          const spg = gs.map((s) => auc(staticPoor.get(s)!));
          const st = gs.map((s) => auc(staticTuned.get(s)!));
          if (gs.length > 0 && mean(st) > mean(spg)) {
            recovered = boot(gs.length, (idx) => (mean(pick(cg, idx)) - mean(pick(spg, idx))) / (mean(pick(st, idx)) - mean(pick(spg, idx))));
            if (!strata.has(ctl)) strata.set(ctl, []);
            strata.get(ctl)!.push({ num: cg.map((x, i) => x - spg[i]!), den: st.map((x, i) => x - spg[i]!) });
          }
        }
        const steps = seeds.map((s) => mine.get(s)!.metrics?.stepsToThreshold ?? null).filter((x): x is number => x !== null);
        rows.push({
          task,
          start,
          controller: ctl,
          seeds: seeds.length,
          auc: aucI,
          vsStatic: diff,
          worseThanStatic: diff.upper < 0,
          recovered,
          reached: steps.length,
          medianStepsToThreshold: steps.length ? quantile(steps, 0.5) : null,
        });
      }
    }
  }
  const overall = [...strata.entries()].map(([controller, ss]) => {
    const stat = (pickIdx: number[][]): number => {
      let num = 0;
      let den = 0;
      ss.forEach((s, i) => {
        num += mean(pickIdx[i]!.map((j) => s.num[j]!));
        den += mean(pickIdx[i]!.map((j) => s.den[j]!));
      });
      return num / den;
    };
    const point = stat(ss.map((s) => s.num.map((_, i) => i)));
    const reps_ = Array.from({ length: reps }, () => stat(ss.map((s) => s.num.map(() => rng.int(s.num.length)))));
    return { controller, recovered: { point, lower: quantile(reps_, 0.025), upper: quantile(reps_, 0.975) }, strata: ss.length };
  });
  return { rows, overall };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : 'n/a');
const ci = (i: Interval, f: (x: number) => string): string => `${f(i.point)} [${f(i.lower)}, ${f(i.upper)}]`;

/** The report as Markdown tables. */
export function gapMarkdown(g: GapReport): string {
  const lines = [
    '| task | start | controller | seeds | normalised AUC [95% CI] | − static [95% CI] | gap recovered [95% CI] | reached threshold | median steps to it |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of g.rows)
    lines.push(
      `| ${r.task} | ${r.start} | ${r.controller} | ${r.seeds} | ${ci(r.auc, f3)} | ${ci(r.vsStatic, f3)}${r.worseThanStatic ? ' **worse**' : ''} | ${r.recovered ? ci(r.recovered, pct) : '—'} | ${r.reached}/${r.seeds} | ${r.medianStepsToThreshold ?? '—'} |`,
    );
  lines.push('', '| controller | gap recovered, all tasks × poor starts pooled [95% CI] | strata |', '| --- | --- | --- |');
  for (const o of g.overall) lines.push(`| ${o.controller} | ${ci(o.recovered, pct)} | ${o.strata} |`);
  return `${lines.join('\n')}\n`;
}
